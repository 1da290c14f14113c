using System.Runtime.CompilerServices;

namespace Ingestion.Privacy;

/// <summary>
/// The working state of one SHA-256 computation, laid out as OpenSSL's <c>SHA256_CTX</c> (h[8], Nl, Nh, data[16],
/// num, md_len: 28 words) so that <see cref="Sha256Block.CompressNative"/> can hand it over as it is. Only the first
/// <see cref="Sha256Block.StateWords"/> words, the chaining value, are used: <c>SHA256_Transform</c> reads and writes
/// nothing else.
/// </summary>
[InlineArray(28)]
internal struct Sha256Context
{
    private uint _word;
}
