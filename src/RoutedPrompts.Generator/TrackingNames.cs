namespace RoutedPrompts.Generator
{
    /// <summary>Names of the generator's pipeline steps, for incrementality tests (<c>WithTrackingName</c>).</summary>
    public static class TrackingNames
    {
        public const string Parse = "RoutedPrompts.Parse";
        public const string FileNames = "RoutedPrompts.FileNames";
        public const string TemplateFiles = "RoutedPrompts.TemplateFiles";
        public const string EvalSets = "RoutedPrompts.EvalSets";
        public const string LockFile = "RoutedPrompts.LockFile";
        public const string Resolve = "RoutedPrompts.Resolve";
        public const string EvalSet = "RoutedPrompts.EvalSet";
        public const string ShapeErrors = "RoutedPrompts.ShapeErrors";
        public const string Models = "RoutedPrompts.Models";
        public const string AllModels = "RoutedPrompts.AllModels";
        public const string TypeFiles = "RoutedPrompts.TypeFiles";
        public const string Converters = "RoutedPrompts.Converters";
        public const string ModuleInitializer = "RoutedPrompts.ModuleInitializer";
        public const string Registry = "RoutedPrompts.Registry";
    }
}
