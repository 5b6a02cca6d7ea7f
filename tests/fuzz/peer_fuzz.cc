// Fuzz target: the peer port. One replicated shoal::Node (member `self` of a 2-5 node cluster)
// receives the messages a peer, or a stranger who reached the peer port, could send: frames whose
// body bytes come from the input (decoded by the codec, as the transport will decode them), its
// own messages echoed back as if another member had sent them, client writes that start
// replication, clock steps, ticks, and crashes that restart it from the voter state it
// persisted. The codec target proves that decoding never crashes; this one proves that acting on
// whatever decodes never does: replication, state transfer, the configuration log and its
// configuration. After every op:
//   - the node's invariants hold (Node::CheckInvariants; the expensive walk at the end);
//   - every message it sends is to another member and encodes into a frame that decodes back to
//     the same envelope (what its peers will read);
//   - a restart from its persisted voter state succeeds (the log's constructor checks it).
//
// Input format (every byte string decodes to something):
//   [config byte]: bits 0-1 node count - 2 (2..5), bit 2 two copies of each key (else one),
//                  bits 3-5 this node's id (modulo the count), bit 6 small knobs (compaction every
//                  2 entries, small sync replies and batches, so snapshots and chunks happen).
//   then ops, each starting with an op byte o (kind = o >> 5, low bits = its parameter):
//     kind 0-2  a frame: [from byte] [incarnation byte] [epoch byte] [length byte, or 0xff then a
//               uint16] [body bytes]; its kind is (o & 31) modulo the body kinds. The header is
//               built here (so most frames decode); the sender is the from byte modulo 8 (ids
//               past the cluster, and the node itself, are reachable), its incarnation
//               1 + byte % 4, its epoch the byte.
//     kind 3    a client command: client (o & 1), [byte]: bits 0-2 the key k0..k7, bits 3-4
//               SET / GET / DEL / SET with PX 50.
//     kind 4    the clocks step forward by (byte + 1) * {1, 10, 100, 1000}[o & 3] ms.
//     kind 5    (o & 15) + 1 ticks, 100 ms apart.
//     kind 6    echo: the last message the node sent to member (o & 7), delivered back to it as
//               if that member had sent it (its incarnation 1 + (o >> 3 & 3)).
//     kind 7    the node crashes and restarts from its disk (voter state), a new life.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/cluster/cluster_config.h"
#include "core/cluster/cluster_node.h"
#include "core/cluster/codec.h"
#include "core/cluster/messages.h"
#include "core/cluster/placement.h"
#include "core/cluster/voter_state.h"
#include "core/effects.h"
#include "core/limits.h"
#include "core/node.h"
#include "core/node_config.h"
#include "core/time.h"
#include "tests/fuzz/fuzz_input.h"

namespace shoal::fuzz {
namespace {

using cluster::Envelope;
using cluster::NodeId;

constexpr std::size_t kBodyKinds = std::variant_size_v<cluster::Body>;
constexpr NodeId kSendersMax = 8;  // from bytes pick 0..7: past a small cluster, and itself
constexpr TimeMs kClockStart = 1'700'000'000'000;
constexpr TimeMs kClockUnitsMs[] = {1, 10, 100, 1000};
constexpr std::size_t kTicksPerOpMax = 16;
constexpr std::size_t kClients = 2;

struct Shape {
  std::uint32_t nodes;
  std::uint32_t copies;
  NodeId self;
  bool small_knobs;

  friend auto operator<=>(const Shape&, const Shape&) = default;
};

Shape DecodeShape(std::uint8_t b) {
  Shape s{};
  s.nodes = 2 + (b & 3);
  s.copies = (b & 4) != 0 ? 2 : 1;
  s.self = static_cast<NodeId>(((b >> 3) & 7) % s.nodes);
  s.small_knobs = (b & 0x40) != 0;
  return s;
}

// Placements are built once per shape (64 vnodes per node: the ring is the slow part of a node).
std::shared_ptr<const cluster::ClusterConfig> ConfigFor(const Shape& s) {
  static std::map<Shape, std::shared_ptr<const cluster::ClusterConfig>> configs;
  auto& config = configs[s];
  if (config == nullptr) {
    auto c = std::make_shared<cluster::ClusterConfig>();
    c->node_id = s.self;
    c->node_count = s.nodes;
    c->replication_factor = s.copies;
    c->vnodes_per_node = 64;
    c->placement = std::make_shared<const cluster::Placement>(cluster::PlacementOptions{
        .node_count = s.nodes, .replication_factor = s.copies, .vnodes_per_node = 64});
    for (NodeId i = 0; i < s.nodes; ++i) c->node_addresses.push_back("n" + std::to_string(i));
    if (s.small_knobs) {
      c->knobs.config_compact_every = 2;
      c->knobs.sync_entries_per_reply_max = 2;
      c->knobs.batch_mutations_max = 2;
      c->knobs.stream_window = 1;
      c->knobs.tombstones_max = 4;
    }
    config = std::move(c);
  }
  return config;
}

void PutVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

class PeerHarness {
 public:
  explicit PeerHarness(const Shape& shape) : shape_(shape), config_(ConfigFor(shape)) { Start(); }

  void Frame(std::uint8_t kind, FuzzInput& in) {
    const std::uint8_t from = in.Byte();
    const std::uint8_t incarnation = in.Byte();
    const std::uint8_t epoch = in.Byte();
    std::size_t length = in.Byte();
    if (length == 0xff) length = in.Uint16();
    const std::string_view body = in.Bytes(length);
    std::string payload;
    payload.push_back(static_cast<char>(cluster::kCodecVersion));
    payload.push_back(static_cast<char>(kind % kBodyKinds));
    PutVarint(payload, from % kSendersMax);
    PutVarint(payload, 1 + incarnation % 4);
    PutVarint(payload, epoch);
    payload.append(body);
    std::string frame(cluster::kFrameHeaderBytes, '\0');
    const auto size = static_cast<std::uint32_t>(payload.size());
    for (std::size_t i = 0; i < cluster::kFrameHeaderBytes; ++i) {
      frame[i] = static_cast<char>((size >> (8 * i)) & 0xff);
    }
    frame += payload;
    const Result<Envelope> decoded = cluster::Decode(frame);
    if (!decoded.has_value()) return;  // the transport drops the peer; the codec target covers it
    Deliver(decoded.value());
  }

  void Echo(NodeId member, std::uint8_t incarnation) {
    const auto it = last_sent_.find(member % shape_.nodes);
    if (it == last_sent_.end()) return;
    Envelope e = it->second;
    e.from = it->first;
    e.incarnation = 1 + incarnation % 4;
    Deliver(e);
  }

  void Command(std::size_t slot, std::uint8_t b) {
    static constexpr std::string_view kKeys[] = {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"};
    const std::string_view key = kKeys[b & 7];
    std::optional<ClientId>& id = clients_[slot % kClients];
    if (!id) {
      id = next_client_++;
      Step(ClientConnected{*id, "127.0.0.1:40000"});
    }
    std::vector<std::string_view> argv;
    switch ((b >> 3) & 3) {
      case 0:
        argv = {"SET", key, "v"};
        break;
      case 1:
        argv = {"GET", key};
        break;
      case 2:
        argv = {"DEL", key};
        break;
      default:
        argv = {"SET", key, "w", "PX", "50"};
        break;
    }
    Step(ClientCommand{*id, argv});
  }

  void Advance(TimeMs ms) { now_ += ms; }

  void Tick() {
    now_ += limits::kTickIntervalMs;
    effects_.Clear();
    node_->Tick(Now(), effects_);
    node_->Flush(Now(), effects_);
    Collect();
  }

  void Restart() {
    node_.reset();
    Start();
    clients_ = {};
    last_sent_.clear();
  }

  void CheckAll() const { node_->CheckInvariants(/*expensive=*/true); }

 private:
  NodeTime Now() const { return NodeTime{.mono = now_, .wall = kClockStart + now_}; }

  void Start() {
    NodeConfig config;
    config.cluster = config_;
    config.voter_state = disk_;
    config.election_seed = ++lives_;
    node_ = std::make_unique<Node>(config);
    Tick();  // the first input of a life starts it (restoring the disk's snapshot)
  }

  void Deliver(const Envelope& envelope) { Step(PeerMessage{&envelope}); }

  void Step(const Input& input) {
    effects_.Clear();
    node_->Step(Now(), input, effects_);
    node_->Flush(Now(), effects_);
    Collect();
  }

  void Collect() {
    if (effects_.persist) {
      disk_ = std::make_shared<const cluster::VoterState>(std::move(*effects_.persist));
    }
    for (const auto& send : effects_.sends) {
      SHOAL_ASSERT_MSG(send.to < shape_.nodes && send.to != shape_.self,
                       "a message to a node that is not another member");
      const Result<Envelope> back = cluster::Decode(cluster::Encode(send.envelope));
      SHOAL_ASSERT_MSG(back.has_value() && back.value() == send.envelope,
                       "a sent message does not decode back to itself");
      last_sent_.insert_or_assign(send.to, send.envelope);
    }
    node_->CheckInvariants(/*expensive=*/false);
  }

  Shape shape_;
  std::shared_ptr<const cluster::ClusterConfig> config_;
  std::unique_ptr<Node> node_;
  std::shared_ptr<const cluster::VoterState> disk_;
  Effects effects_;
  TimeMs now_ = 0;
  std::uint64_t lives_ = 0;
  std::array<std::optional<ClientId>, kClients> clients_{};
  ClientId next_client_ = 1;
  std::map<NodeId, Envelope> last_sent_;
};

}  // namespace
}  // namespace shoal::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shoal::fuzz;  // NOLINT(build/namespaces): a target is one function
  FuzzInput in(data, size);
  PeerHarness harness(DecodeShape(in.Byte()));
  while (!in.empty()) {
    const std::uint8_t op = in.Byte();
    switch (op >> 5) {
      case 3:
        harness.Command(op & 1, in.Byte());
        break;
      case 4:
        harness.Advance((shoal::TimeMs{in.Byte()} + 1) * kClockUnitsMs[op & 3]);
        break;
      case 5:
        for (std::size_t i = 0; i <= (op & 15u) && i < kTicksPerOpMax; ++i) harness.Tick();
        break;
      case 6:
        harness.Echo(op & 7, (op >> 3) & 3);
        break;
      case 7:
        harness.Restart();
        break;
      default:
        harness.Frame(op & 31, in);
        break;
    }
  }
  harness.CheckAll();
  return 0;
}
