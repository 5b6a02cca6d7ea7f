#include "sim/prng.h"

#include "core/result.h"

namespace shoal::sim {
namespace {

// -ln((i + 0.5) / 256) * 1024, for i in [0, 256): exponential inversion in fixed point (x1024).
// Generated offline with Python's math.log and rounded; integer so every build agrees.
constexpr std::int32_t kNegLogTable[256] = {
    6388, 5263, 4740, 4395, 4138, 3933, 3762, 3615, 3487, 3373, 3270, 3177, 3092, 3013, 2940, 2872,
    2808, 2747, 2690, 2637, 2585, 2537, 2490, 2445, 2403, 2362, 2322, 2285, 2248, 2213, 2179, 2145,
    2113, 2082, 2052, 2023, 1995, 1967, 1940, 1914, 1888, 1863, 1839, 1815, 1792, 1769, 1747, 1725,
    1704, 1683, 1662, 1642, 1622, 1603, 1584, 1565, 1547, 1529, 1512, 1494, 1477, 1460, 1444, 1428,
    1412, 1396, 1380, 1365, 1350, 1335, 1321, 1306, 1292, 1278, 1264, 1250, 1237, 1224, 1210, 1197,
    1185, 1172, 1160, 1147, 1135, 1123, 1111, 1099, 1088, 1076, 1065, 1054, 1042, 1031, 1020, 1010,
    999,  988,  978,  968,  957,  947,  937,  927,  917,  908,  898,  889,  879,  870,  860,  851,
    842,  833,  824,  815,  806,  797,  789,  780,  772,  763,  755,  746,  738,  730,  722,  714,
    706,  698,  690,  682,  674,  667,  659,  651,  644,  636,  629,  622,  614,  607,  600,  593,
    586,  579,  572,  565,  558,  551,  544,  537,  530,  524,  517,  510,  504,  497,  491,  484,
    478,  472,  465,  459,  453,  447,  441,  434,  428,  422,  416,  410,  404,  398,  392,  387,
    381,  375,  369,  364,  358,  352,  347,  341,  335,  330,  324,  319,  313,  308,  303,  297,
    292,  287,  281,  276,  271,  266,  260,  255,  250,  245,  240,  235,  230,  225,  220,  215,
    210,  205,  200,  196,  191,  186,  181,  176,  172,  167,  162,  158,  153,  148,  144,  139,
    134,  130,  125,  121,  116,  112,  107,  103,  99,   94,   90,   85,   81,   77,   73,   68,
    64,   60,   55,   51,   47,   43,   39,   35,   30,   26,   22,   18,   14,   10,   6,    2,
};

}  // namespace

std::uint64_t Prng::Below(std::uint64_t bound) {
  SHOAL_ASSERT(bound > 0);
  // Reject the top partial range so every residue is equally likely.
  const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
  for (;;) {
    const std::uint64_t r = Next();
    if (r >= threshold) return r % bound;
  }
}

std::int64_t Prng::Range(std::int64_t lo, std::int64_t hi) {
  SHOAL_ASSERT(lo <= hi);
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(Next());
  return lo + static_cast<std::int64_t>(Below(span + 1));
}

std::int64_t Prng::Exponential(std::int64_t mean) {
  SHOAL_ASSERT(mean >= 0);
  if (mean == 0) return 0;
  const std::uint64_t r = Next();
  const std::int64_t fixed = kNegLogTable[r >> 56];
  return fixed * mean / 1024;
}

std::int64_t Prng::Latency(std::int64_t min_ms, std::int64_t max_ms, std::uint32_t tail_ppm,
                           std::int64_t tail_mean_ms, std::int64_t tail_max_ms) {
  std::int64_t latency = Range(min_ms, max_ms);
  if (tail_ppm > 0 && ChancePpm(tail_ppm)) {
    std::int64_t extra = Exponential(tail_mean_ms);
    if (extra > tail_max_ms) extra = tail_max_ms;
    latency += extra;
  }
  return latency;
}

}  // namespace shoal::sim
