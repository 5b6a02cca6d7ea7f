// SlotRouter: which node a client believes serves each of the limits::kSlotCount slots. Seeded
// from the cluster's placement (the primary of each slot's preference list) and corrected by
// -MOVED redirects, as a Redis-Cluster-aware client does. Pure data; no I/O.
//
// Thread safety: none; one router per client (or shared read-only between attempts of one client).
// Invariants:
//   1. Owner(slot) is kNoNode or < node_count().
//   2. Node addresses are distinct; NodeForAddress is their inverse.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"

namespace shoal::client {

using NodeIndex = std::uint32_t;
inline constexpr NodeIndex kNoNode = UINT32_MAX;
// Most nodes one router learns (Redis Cluster's practical ceiling is about 1000 nodes); bounds
// the address list that redirects and CLUSTER SLOTS replies can grow.
inline constexpr std::uint32_t kRouterNodesMax = 1024;

class SlotRouter {
 public:
  // REQUIRES: addresses non-empty and distinct ("host:port", as the nodes print in -MOVED).
  explicit SlotRouter(std::vector<std::string> addresses);

  std::uint32_t node_count() const { return static_cast<std::uint32_t>(addresses_.size()); }
  const std::string& address(NodeIndex node) const { return addresses_.at(node); }

  // Who to ask about `slot`: the believed owner, or (if unknown) a node chosen by rotation so
  // successive attempts try different nodes and a redirect teaches the owner.
  NodeIndex Route(std::uint16_t slot, std::uint32_t attempt) const;
  NodeIndex Owner(std::uint16_t slot) const { return owners_[slot]; }
  void SetOwner(std::uint16_t slot, NodeIndex node);
  // Every slot's owner at once (a whole slot table, e.g. from CLUSTER SLOTS or a placement).
  // REQUIRES: owners.size() == limits::kSlotCount; each entry kNoNode or < node_count() (Route
  // asserts it for the entry it returns).
  void SetOwners(std::span<const NodeIndex> owners);
  std::optional<NodeIndex> NodeForAddress(std::string_view address) const;
  // The index of `address`, appended if it is new (indices never change once given); nullopt
  // when the address is empty or the router already holds kRouterNodesMax nodes (a server's
  // reply never crashes the client). For the client library, which learns nodes from
  // CLUSTER SLOTS and redirects.
  std::optional<NodeIndex> AddNode(std::string_view address);

  std::uint64_t redirects_learned() const { return redirects_learned_; }
  void CountRedirect() { redirects_learned_++; }

 private:
  std::vector<std::string> addresses_;
  std::vector<NodeIndex> owners_;  // limits::kSlotCount entries
  std::uint64_t redirects_learned_ = 0;
};

// A parsed "-MOVED <slot> <host:port>" (or ASK) error.
struct Redirect {
  std::uint16_t slot = 0;
  std::string_view address;
};

// Parses the text of a MOVED/ASK error (without the leading '-'), e.g. "MOVED 3999 10.0.0.1:7379".
bool ParseRedirect(std::string_view error_text, Redirect& out);

}  // namespace shoal::client
