#include "ca/sa/postgres_pool.h"

#include <libpq-fe.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace xmppcert::ca {
namespace {

// The connections this thread holds, one per pool at most.
thread_local std::vector<std::pair<const PostgresPool*, PostgresConnection*>> t_held;

auto held_by_this_thread(const PostgresPool* pool) {
  return std::find_if(t_held.begin(), t_held.end(),
                      [pool](const auto& held) { return held.first == pool; });
}

void close(PostgresConnection& connection) {
  PQfinish(connection.conn);
  connection.conn = nullptr;
  connection.in_transaction = false;
}

}  // namespace

PostgresPool::~PostgresPool() {
  for (auto& connection : all_) PQfinish(connection->conn);
}

PostgresPool::Lease::Lease(PostgresPool& pool) : pool_(pool) {
  auto held = held_by_this_thread(&pool);
  outermost_ = held == t_held.end();
  if (!outermost_) {
    connection_ = held->second;
    return;
  }
  {
    std::lock_guard guard(pool.mutex_);
    if (pool.idle_.empty()) {
      pool.all_.push_back(std::make_unique<PostgresConnection>());
      pool.all_.back()->generation = pool.generation_;
      pool.idle_.push_back(pool.all_.back().get());
    }
    connection_ = pool.idle_.back();
    pool.idle_.pop_back();
  }
  t_held.emplace_back(&pool, connection_);
}

PostgresPool::Lease::~Lease() {
  if (!outermost_) return;
  t_held.erase(held_by_this_thread(&pool_));
  std::lock_guard guard(pool_.mutex_);
  if (connection_->generation != pool_.generation_) {
    close(*connection_);
    connection_->generation = pool_.generation_;
  }
  pool_.idle_.push_back(connection_);
}

PostgresConnection& PostgresPool::held() const {
  auto held = held_by_this_thread(this);
  if (held == t_held.end())
    throw std::logic_error("PostgreSQL storage: a query outside a connection lease");
  return *held->second;
}

void PostgresPool::forget_connections() {
  std::lock_guard guard(mutex_);
  ++generation_;
  for (PostgresConnection* idle : idle_) {
    close(*idle);
    idle->generation = generation_;
  }
}

size_t PostgresPool::size() {
  std::lock_guard guard(mutex_);
  return all_.size();
}

}  // namespace xmppcert::ca
