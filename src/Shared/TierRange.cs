// The one rule for which tiers a routed task can be served by. Compiled (as source) into the generator and the analyzers,
// linked into the runtime (the router's range, which the eval tool's deployment list also uses through it).
#nullable enable

namespace RoutedPrompts.Shared
{
    /// <summary>The tiers a routed task's requests can reach, as tier indexes (Small = 0, see <see cref="RoutedPromptsShape.TierNames"/>).</summary>
    internal static class TierRange
    {
        /// <summary>
        /// The reachable range: the code's <paramref name="tier"/>..<paramref name="maxTier"/>, which configuration (a task's
        /// <c>Tier</c> and <c>MaxTier</c>) or a lock entry's start tier may only narrow. A raised start never passes the cap
        /// (the code's, or a lowered one); a lowered cap never goes below the code's start; every bound is a tier of the
        /// table, so the range is never empty. Used by the router (<c>RouterSettings.Range</c>), the analyzers (RP0010,
        /// RP0020), the generator's lock baking and the eval tool's deployment list.
        /// </summary>
        /// <param name="tier">The code's start tier (the attribute's <c>Tier</c>).</param>
        /// <param name="maxTier">The code's cap (the attribute's <c>MaxTier</c>).</param>
        /// <param name="raisedStart">A start tier configured or calibrated for the task, or <see langword="null"/>.</param>
        /// <param name="loweredMax">A cap configured for the task, or <see langword="null"/>.</param>
        /// <returns>The first and the last tier a request may use.</returns>
        public static (int First, int Last) Reachable(int tier, int maxTier, int? raisedStart = null, int? loweredMax = null)
        {
            var top = RoutedPromptsShape.TierNames.Length - 1;
            var floor = Clamp(tier, 0, top);
            var ceiling = Clamp(maxTier, floor, top);
            var last = Clamp(loweredMax ?? ceiling, floor, ceiling);
            return (Clamp(raisedStart ?? floor, floor, last), last);
        }

        private static int Clamp(int value, int min, int max) => value < min ? min : value > max ? max : value;
    }
}
