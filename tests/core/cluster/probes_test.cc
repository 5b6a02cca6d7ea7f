// Tests of the probe table (core/cluster/probes.h): every probe has its own name, and counts add.
#include "core/cluster/probes.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace shoal::cluster {
namespace {

TEST(ProbesTest, EveryProbeHasADistinctSnakeCaseName) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    const std::string name = ProbeName(static_cast<Probe>(i));
    EXPECT_NE(name, "?");
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string::npos) << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), kProbeCount);
}

TEST(ProbesTest, CountsAdd) {
  ProbeCounts a, b;
  a.Hit(Probe::kStreamResent);
  b.Hit(Probe::kStreamResent);
  b.Hit(Probe::kWriteRefused);
  a.Add(b);
  EXPECT_EQ(a[Probe::kStreamResent], 2u);
  EXPECT_EQ(a[Probe::kWriteRefused], 1u);
  EXPECT_EQ(a[Probe::kRepairPushed], 0u);
}

}  // namespace
}  // namespace shoal::cluster
