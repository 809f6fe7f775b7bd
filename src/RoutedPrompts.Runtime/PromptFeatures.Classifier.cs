using Microsoft.Extensions.AI;
using RoutedPrompts.Shared;

namespace RoutedPrompts;

/// <summary>
/// The one featurizer of the start-tier classifier (<see cref="ClassifierFeatures.Version"/> 1): the eval tool trains on
/// what it computes and the router predicts from it. The text of the user messages, lower-cased, whitespace runs read as
/// one space: its words (runs of letters and digits) and word bigrams, and its character 3-, 4- and 5-grams, each hashed
/// with 32-bit FNV-1a over UTF-16 code units (never <see cref="string.GetHashCode()"/>: the buckets must be the same in
/// every process) into 2^bits buckets; a bucket's value is 1 + ln(count), the vector L2-normalised. Plus the length
/// features: ln(1 + characters), ln(1 + words), ln(1 + lines), the share of digits, and whether code is present (the
/// routing rules' one code detector, <see cref="HasCode"/>, on each user text). N-grams are read from the first
/// <see cref="MaxScannedChars"/> characters; the length features count all of them. Deterministic, and it allocates
/// nothing: the caller gives the buffers (<see cref="Capacity"/>).
/// </summary>
internal static partial class PromptFeatures
{
    /// <summary>The characters (after whitespace is collapsed) whose n-grams are read; a longer prompt's tail adds only to its length features.</summary>
    public const int MaxScannedChars = 16384;

    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;
    private const uint WordKind = 1;
    private const uint BigramKind = 2;
    private const uint CharKind = 10;

    /// <summary>An upper bound on the hashed n-grams of <paramref name="messages"/> (the size of the buffers <see cref="Extract"/> needs).</summary>
    /// <param name="messages">The request's messages.</param>
    /// <returns>The capacity.</returns>
    public static int Capacity(IReadOnlyList<ChatMessage> messages)
    {
        long chars = 2;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role != ChatRole.User)
            {
                continue;
            }

            for (var j = 0; j < message.Contents.Count; j++)
            {
                if (message.Contents[j] is TextContent { Text: { } text })
                {
                    chars += text.Length + 1;
                }
            }
        }

        // Per character read at most three character n-grams and, where a word ends, its unigram and bigram.
        return (int)(Math.Min(chars, MaxScannedChars + 2) * 5) + 8;
    }

    /// <summary>
    /// Computes the features of <paramref name="messages"/>: the hashed n-gram buckets, ascending and distinct, into
    /// <paramref name="buckets"/> with their values into <paramref name="values"/>, and the raw length features (not
    /// scaled) into <paramref name="length"/>.
    /// </summary>
    /// <param name="messages">The request's messages (only the user messages' text is read).</param>
    /// <param name="bucketBits">The hash size: 2^bits buckets.</param>
    /// <param name="buckets">At least <see cref="Capacity"/> elements.</param>
    /// <param name="values">At least <see cref="Capacity"/> elements.</param>
    /// <param name="length">At least <see cref="ClassifierFeatures.LengthCount"/> elements.</param>
    /// <returns>How many buckets were written.</returns>
    public static int Extract(IReadOnlyList<ChatMessage> messages, int bucketBits, Span<int> buckets, Span<double> values, Span<double> length)
    {
        var scanner = new Scanner(buckets, bucketBits);
        var hasCode = false;
        scanner.Push(' ');
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role != ChatRole.User)
            {
                continue;
            }

            for (var j = 0; j < message.Contents.Count; j++)
            {
                if (message.Contents[j] is not TextContent { Text: { } text })
                {
                    continue;
                }

                scanner.Lines++;
                hasCode = hasCode || HasCode(text);
                for (var k = 0; k < text.Length; k++)
                {
                    scanner.Read(text[k]);
                }

                scanner.Push(' '); // a boundary between contents and messages
            }
        }

        var count = Collapse(buckets[..scanner.Count], values);
        length[0] = Math.Log(1 + scanner.Chars);
        length[1] = Math.Log(1 + scanner.Words);
        length[2] = Math.Log(1 + scanner.Lines);
        length[3] = scanner.Chars == 0 ? 0 : (double)scanner.Digits / scanner.Chars;
        length[4] = hasCode ? 1 : 0;
        return count;
    }

    /// <summary>Sorts the buckets, counts each one once with 1 + ln(count), and L2-normalises the values.</summary>
    private static int Collapse(Span<int> buckets, Span<double> values)
    {
        buckets.Sort();
        var count = 0;
        var norm = 0d;
        for (var i = 0; i < buckets.Length;)
        {
            var j = i + 1;
            while (j < buckets.Length && buckets[j] == buckets[i])
            {
                j++;
            }

            var value = 1 + Math.Log(j - i);
            buckets[count] = buckets[i];
            values[count] = value;
            norm += value * value;
            count++;
            i = j;
        }

        if (norm > 0)
        {
            var scale = 1 / Math.Sqrt(norm);
            for (var i = 0; i < count; i++)
            {
                values[i] *= scale;
            }
        }

        return count;
    }

    private static uint Fold(uint hash, uint value) => (hash ^ value) * Prime;

    private static uint Fold32(uint hash, uint value) => Fold(Fold(hash, value & 0xFFFF), value >> 16);

    /// <summary>The scan of one request's text: the n-gram buckets found so far and the counts of the length features.</summary>
    private ref struct Scanner
    {
        private readonly Span<int> _buckets;
        private readonly int _shift;
        private char _c1, _c2, _c3, _c4, _c5; // the last five characters read, _c5 the latest
        private int _pushed;
        private uint _word;
        private uint _previousWord;
        private bool _inWord;
        private bool _hasPrevious;

        public Scanner(Span<int> buckets, int bucketBits)
        {
            _buckets = buckets;
            _shift = 32 - bucketBits;
            _c1 = _c2 = _c3 = _c4 = _c5 = '\0';
        }

        public int Count { get; private set; }

        public int Chars { get; private set; }

        public int Words { get; private set; }

        public int Lines { get; set; }

        public int Digits { get; private set; }

        /// <summary>One character of the text: counted for the length features, then read for the n-grams.</summary>
        public void Read(char c)
        {
            Chars++;
            if (c == '\n')
            {
                Lines++;
            }
            else if (char.IsDigit(c))
            {
                Digits++;
            }

            Push(char.IsWhiteSpace(c) ? ' ' : char.ToLowerInvariant(c));
        }

        /// <summary>One normalised character: it ends or extends a word and completes up to three character n-grams.</summary>
        public void Push(char c)
        {
            var letter = char.IsLetterOrDigit(c);
            if (_pushed >= MaxScannedChars)
            {
                // Past the scanned part: words are still counted, no n-gram is read.
                if (letter)
                {
                    _inWord = true;
                }
                else if (_inWord)
                {
                    _inWord = false;
                    Words++;
                }

                return;
            }

            if (c == ' ' && _c5 == ' ')
            {
                return; // whitespace runs read as one space
            }

            _pushed++;
            if (letter)
            {
                _word = _inWord ? Fold(_word, c) : Fold(OffsetBasis, c);
                _inWord = true;
            }
            else
            {
                EndWord();
            }

            (_c1, _c2, _c3, _c4, _c5) = (_c2, _c3, _c4, _c5, c);
            if (_pushed >= 3)
            {
                Add(Fold(Fold(Fold(Fold(OffsetBasis, CharKind + 3), _c3), _c4), _c5));
            }

            if (_pushed >= 4)
            {
                Add(Fold(Fold(Fold(Fold(Fold(OffsetBasis, CharKind + 4), _c2), _c3), _c4), _c5));
            }

            if (_pushed >= 5)
            {
                Add(Fold(Fold(Fold(Fold(Fold(Fold(OffsetBasis, CharKind + 5), _c1), _c2), _c3), _c4), _c5));
            }
        }

        private void EndWord()
        {
            if (!_inWord)
            {
                return;
            }

            _inWord = false;
            Words++;
            Add(Fold32(Fold(OffsetBasis, WordKind), _word));
            if (_hasPrevious)
            {
                Add(Fold32(Fold32(Fold(OffsetBasis, BigramKind), _previousWord), _word));
            }

            _previousWord = _word;
            _hasPrevious = true;
        }

        /// <summary>A hash's bucket: its top bits after the murmur3 finaliser, so every bit of the hash counts.</summary>
        private void Add(uint hash)
        {
            hash ^= hash >> 16;
            hash *= 0x85EBCA6B;
            hash ^= hash >> 13;
            hash *= 0xC2B2AE35;
            hash ^= hash >> 16;
            _buckets[Count++] = (int)(hash >> _shift);
        }
    }
}
