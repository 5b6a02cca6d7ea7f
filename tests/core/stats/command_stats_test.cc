// CommandStats and ErrorStats tests: counts per index, lazily allocated histograms that Reset
// empties, error prefixes sorted, cut and capped as INFO errorstats needs them.
#include "core/stats/command_stats.h"

#include <string>

#include "core/limits.h"
#include "gtest/gtest.h"

namespace shoal {
namespace {

TEST(CommandStats, CountsAndHistograms) {
  CommandStats stats(3);
  EXPECT_FALSE(stats.Used(1));
  stats.Executed(1, false);
  stats.Executed(1, true);
  stats.Rejected(2);
  EXPECT_TRUE(stats.Used(1));
  EXPECT_TRUE(stats.Used(2));
  EXPECT_EQ(stats.at(1).calls, 2u);
  EXPECT_EQ(stats.at(1).failed, 1u);
  EXPECT_EQ(stats.at(2).rejected, 1u);
  EXPECT_EQ(stats.at(1).latency, nullptr);  // no duration yet: no histogram memory
  stats.Took(1, 1500);
  stats.Took(1, 2500);
  ASSERT_NE(stats.at(1).latency, nullptr);
  EXPECT_EQ(stats.at(1).latency->Count(), 2u);
  EXPECT_EQ(stats.at(1).latency->Sum(), 4000u);
  stats.Reset();
  EXPECT_FALSE(stats.Used(1));
  EXPECT_FALSE(stats.Used(2));
  ASSERT_NE(stats.at(1).latency, nullptr);
  EXPECT_EQ(stats.at(1).latency->Count(), 0u);
}

TEST(ErrorStats, PrefixesSortedAndCounted) {
  ErrorStats errors;
  errors.Count("WRONGTYPE Operation against a key holding the wrong kind of value");
  errors.Count("ERR syntax error");
  errors.Count("ERR unknown command 'x'");
  errors.Count("NOAUTH Authentication required.");
  errors.Count("");  // an empty error still counts, under an empty prefix
  EXPECT_EQ(errors.total(), 5u);
  ASSERT_EQ(errors.kinds().size(), 4u);
  EXPECT_EQ(errors.kinds()[0], (std::pair<std::string, std::uint64_t>{"", 1}));
  EXPECT_EQ(errors.kinds()[1], (std::pair<std::string, std::uint64_t>{"ERR", 2}));
  EXPECT_EQ(errors.kinds()[2].first, "NOAUTH");
  EXPECT_EQ(errors.kinds()[3].first, "WRONGTYPE");
  errors.Reset();
  EXPECT_EQ(errors.total(), 0u);
  EXPECT_TRUE(errors.kinds().empty());
}

TEST(ErrorStats, LongPrefixesAreCutAndKindsCapped) {
  EXPECT_EQ(ErrorStats::Prefix(std::string(100, 'E') + " tail"),
            std::string(limits::kErrorPrefixBytesMax, 'E'));
  ErrorStats errors;
  for (std::size_t i = 0; i < limits::kErrorKindsMax + 10; ++i) {
    errors.Count("E" + std::to_string(i) + " x");
  }
  EXPECT_EQ(errors.kinds().size(), limits::kErrorKindsMax);
  EXPECT_EQ(errors.total(), limits::kErrorKindsMax + 10);
}

}  // namespace
}  // namespace shoal
