namespace RoutedPrompts.Evaluation;

/// <summary>
/// A one-feature logistic regression, <c>p(x) = 1 / (1 + exp(-(a + b·x)))</c>, fitted by Newton's method with a
/// small ridge and two half-weight pseudo-observations (one positive, one negative, at the mean feature) so that a
/// sample with no positives or perfect separation still gives a finite, slightly pessimistic curve.
/// </summary>
internal readonly record struct LogisticCurve(double Intercept, double Slope)
{
    private const double Ridge = 1e-3;

    /// <summary>The fitted probability at <paramref name="x"/>.</summary>
    public double At(double x) => 1 / (1 + Math.Exp(-(Intercept + (Slope * x))));

    /// <summary>Fits the curve to (feature, outcome) pairs.</summary>
    public static LogisticCurve Fit(IReadOnlyList<double> x, IReadOnlyList<bool> y)
    {
        var n = x.Count;
        var mean = n == 0 ? 0 : x.Average();
        double a = 0, b = 0;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            // Gradient and Hessian of the penalized log-likelihood.
            double ga = 0, gb = 0, haa = Ridge, hab = 0, hbb = Ridge;
            gb -= Ridge * b;
            ga -= Ridge * a;
            void Add(double xi, double yi, double weight)
            {
                var p = 1 / (1 + Math.Exp(-(a + (b * xi))));
                var r = (yi - p) * weight;
                var w = p * (1 - p) * weight;
                ga += r;
                gb += r * xi;
                haa += w;
                hab += w * xi;
                hbb += w * xi * xi;
            }

            for (var i = 0; i < n; i++)
            {
                Add(x[i], y[i] ? 1 : 0, 1);
            }

            Add(mean, 1, 0.5);
            Add(mean, 0, 0.5);
            var det = (haa * hbb) - (hab * hab);
            if (det <= 1e-12)
            {
                break;
            }

            var da = ((hbb * ga) - (hab * gb)) / det;
            var db = ((haa * gb) - (hab * ga)) / det;
            a += da;
            b += db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-9)
            {
                break;
            }
        }

        return new LogisticCurve(a, b);
    }

    /// <summary>The feature of a confidence: the log of its complement, which spreads out the confident end.</summary>
    public static double Feature(double confidence) => Math.Log(Math.Max(1 - confidence, 1e-6));
}
