#include "client/state/slot_map.h"

#include <string>
#include <vector>

#include "core/limits.h"
#include "gtest/gtest.h"
#include "tests/client/replies.h"

namespace shoal::client {
namespace {

using testing::ArrayReply;
using testing::BulkReply;
using testing::IntegerReply;

Reply Entry(std::int64_t first, std::int64_t last, std::string host, std::int64_t port) {
  return ArrayReply(
      {IntegerReply(first), IntegerReply(last),
       ArrayReply({BulkReply(std::move(host)), IntegerReply(port), BulkReply("id")})});
}

TEST(SlotMapTest, ParsesRedisClusterSlots) {
  // Redis 7.0's reply for a 3-primary cluster (one with a replica, one with an unknown host).
  Reply reply = ArrayReply({Entry(0, 5460, "127.0.0.1", 30001), Entry(5461, 10922, "?", 30002),
                            Entry(10923, 16383, "", 30003)});
  reply.elements[0].elements.push_back(
      ArrayReply({BulkReply("127.0.0.1"), IntegerReply(30004), BulkReply("r")}));
  std::vector<SlotRange> ranges;
  ASSERT_TRUE(ParseClusterSlots(reply, "10.1.1.1", ranges));
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].first, 0);
  EXPECT_EQ(ranges[0].last, 5460);
  EXPECT_EQ(ranges[0].primary, "127.0.0.1:30001");
  EXPECT_EQ(ranges[1].primary, "10.1.1.1:30002");  // "?": the host that answered
  EXPECT_EQ(ranges[2].primary, "10.1.1.1:30003");  // "" likewise
}

TEST(SlotMapTest, RejectsMalformedReplies) {
  std::vector<SlotRange> ranges;
  EXPECT_FALSE(ParseClusterSlots(BulkReply("x"), "h", ranges));
  EXPECT_FALSE(ParseClusterSlots(ArrayReply({Entry(5, 4, "h", 1)}), "h", ranges));
  EXPECT_FALSE(ParseClusterSlots(ArrayReply({Entry(0, 16384, "h", 1)}), "h", ranges));
  EXPECT_FALSE(ParseClusterSlots(ArrayReply({Entry(-1, 3, "h", 1)}), "h", ranges));
  EXPECT_FALSE(ParseClusterSlots(ArrayReply({Entry(0, 3, "h", 0)}), "h", ranges));
  EXPECT_FALSE(ParseClusterSlots(ArrayReply({Entry(0, 3, "h", 70000)}), "h", ranges));
  EXPECT_FALSE(
      ParseClusterSlots(ArrayReply({ArrayReply({IntegerReply(0), IntegerReply(3)})}), "h", ranges));
  EXPECT_FALSE(ParseClusterSlots(ArrayReply({Entry(0, 3, "", 1)}), "", ranges));
  EXPECT_TRUE(ParseClusterSlots(ArrayReply({}), "h", ranges));  // no slots assigned yet
  EXPECT_TRUE(ranges.empty());
}

TEST(SlotMapTest, AppliesRangesAndForgetsUncoveredSlots) {
  SlotRouter router({"seed:1"});
  OwnAllSlots(router, 0);
  const std::vector<SlotRange> ranges = {{0, 99, "a:1"}, {100, 199, "seed:1"}};
  EXPECT_TRUE(ApplySlotMap(ranges, router));
  EXPECT_EQ(router.node_count(), 2u);
  EXPECT_EQ(router.Owner(0), 1u);
  EXPECT_EQ(router.Owner(99), 1u);
  EXPECT_EQ(router.Owner(100), 0u);
  EXPECT_EQ(router.Owner(200), kNoNode);
  EXPECT_EQ(router.Owner(limits::kSlotCount - 1), kNoNode);
}

}  // namespace
}  // namespace shoal::client
