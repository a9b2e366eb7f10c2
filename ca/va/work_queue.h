// A fixed pool of threads taking validations from one queue, off the HTTP threads, as
// RFC 8555 §7.5.1 expects (the challenge answer says "processing"; clients poll). Fair: a job
// waits while its account, or its target, already has `per_account` / `per_target` jobs
// running, and of the jobs that may run, the one whose account has the fewest running goes
// first. One account's slow targets hold at most `per_account` threads; everyone else's
// validations keep their turn. A job that throws is logged and its slots are freed.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/log.h"

namespace xmppcert::ca {

struct WorkQueueCaps {
  int threads = 16;
  int per_account = 2;
  int per_target = 2;
};

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueCaps caps) : caps_(caps) {
    for (int i = 0; i < caps_.threads; ++i) workers_.emplace_back([this] { run(); });
  }
  ~WorkQueue() {
    {
      std::lock_guard guard(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& worker : workers_) worker.join();
  }
  void submit(long long account, const std::string& target, std::function<void()> job) {
    {
      std::lock_guard guard(mutex_);
      jobs_.push_back({account, target, std::move(job)});
    }
    ready_.notify_one();
  }

 private:
  struct Job {
    long long account;
    std::string target;
    std::function<void()> work;
  };

  template <typename Map, typename Key>
  static int running(const Map& map, const Key& key) {
    auto found = map.find(key);
    return found == map.end() ? 0 : found->second;
  }

  // The next job allowed to run, or jobs_.end(); with mutex_ held.
  std::deque<Job>::iterator pick() {
    auto best = jobs_.end();
    int best_running = 0;
    for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
      int mine = running(running_accounts_, it->account);
      if (mine >= caps_.per_account || running(running_targets_, it->target) >= caps_.per_target)
        continue;
      if (best == jobs_.end() || mine < best_running) best = it, best_running = mine;
      if (mine == 0) break;
    }
    return best;
  }

  void run() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        // Stopping drains the queue first: no challenge is left "processing".
        ready_.wait(lock, [this] { return (stopping_ && jobs_.empty()) || pick() != jobs_.end(); });
        if (jobs_.empty()) return;
        auto next = pick();
        job = std::move(*next);
        jobs_.erase(next);
        ++running_accounts_[job.account];
        ++running_targets_[job.target];
      }
      // A job that throws must not end the process (std::terminate on a worker thread) nor
      // keep its account's and target's slots: it is logged, and the slots are given back.
      try {
        job.work();
      } catch (const std::exception& error) {
        log_warning("", std::string("validation worker: a job failed: ") + error.what());
      } catch (...) {
        log_warning("", "validation worker: a job failed with an unknown exception");
      }
      {
        std::lock_guard guard(mutex_);
        if (--running_accounts_[job.account] == 0) running_accounts_.erase(job.account);
        if (--running_targets_[job.target] == 0) running_targets_.erase(job.target);
      }
      ready_.notify_all();  // a job held back by this one's caps may run now
    }
  }

  WorkQueueCaps caps_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> jobs_;
  std::map<long long, int> running_accounts_;
  std::map<std::string, int> running_targets_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace xmppcert::ca
