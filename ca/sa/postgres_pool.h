// The libpq connections of one PostgresStorage: one per thread that uses the database at a
// time (the HTTPS threads, the validation workers, the CRL refresher), so that a request
// waits for the database, never for another request's round trips. A thread holds its
// connection for as long as a Lease of it lives, and every Lease it takes meanwhile (a query
// inside a transaction, a transaction inside run_exclusively) gets the same one, so that
// BEGIN ... COMMIT and a session advisory lock stay on one connection. Connections are made
// on first need and kept; their number never exceeds the number of threads that ever used
// the database at once. When one is found dead (the server restarted), the idle ones are
// closed too: they are as dead, and each would otherwise fail one request of its own.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

struct pg_conn;

namespace xmppcert::ca {

struct PostgresConnection {
  pg_conn* conn = nullptr;  // null: not connected yet, or closed after a failure
  bool in_transaction = false;
  unsigned generation = 0;  // the pool's when it was made
};

class PostgresPool {
 public:
  PostgresPool() = default;
  ~PostgresPool();
  PostgresPool(const PostgresPool&) = delete;
  PostgresPool& operator=(const PostgresPool&) = delete;

  class Lease {
   public:
    explicit Lease(PostgresPool& pool);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PostgresConnection& operator*() const { return *connection_; }
    PostgresConnection* operator->() const { return connection_; }

   private:
    PostgresPool& pool_;
    PostgresConnection* connection_;
    bool outermost_;  // this Lease took the connection and gives it back
  };

  // The connection this thread holds through a Lease; std::logic_error without one.
  PostgresConnection& held() const;
  // A connection was found dead: the idle ones are closed, and those in use are closed when
  // they come back.
  void forget_connections();
  // How many connections exist (tests).
  size_t size();

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<PostgresConnection>> all_;
  std::vector<PostgresConnection*> idle_;
  unsigned generation_ = 0;
};

}  // namespace xmppcert::ca
