// Recorder behaviour under pressure and failure: queue overflow, held meta records,
// unwritable directory, a file-size limit standing in for a full disk, and kill -9.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "src/record/recorder.hpp"
#include "tests/record/helpers.hpp"

namespace mdhub::record {
namespace {

using test::read_all;
using test::TempDir;

// Holds the writer thread at its start so the queue fills deterministically.
struct Gate {
  std::promise<void> p;
  std::shared_future<void> f = p.get_future().share();
  std::function<void()> hook() {
    return [f = f] { f.wait(); };
  }
  void open() { p.set_value(); }
};

TEST(RecordQueue, OverflowIsDroppedCountedAndVisibleAsSeqGap) {
  TempDir dir;
  Gate gate;
  RecorderOptions o;
  o.dir = dir.str();
  o.queue_bytes = 8192;
  o.on_thread_start = gate.hook();
  Recorder rec(o);
  const std::string payload(1000, 'p');  // 48 + 4 + 1000 = 1052 bytes queued each: 7 fit
  int accepted = 0;
  for (int i = 0; i < 100; ++i)
    accepted += rec.record(0, "btse", RawKind::ws, 0, {i, i}, payload) ? 1 : 0;
  EXPECT_EQ(accepted, 7);
  EXPECT_EQ(rec.stats().dropped, 93u);
  EXPECT_EQ(rec.stats().records, 7u);
  EXPECT_EQ(rec.stats().queue_used, 7u * 1052u);
  // Too large for the queue at all: refused, counted apart.
  EXPECT_FALSE(rec.record(0, "btse", RawKind::ws, 0, {}, std::string(9000, 'x')));
  EXPECT_EQ(rec.stats().too_large, 1u);
  EXPECT_EQ(rec.stats().dropped, 94u);
  gate.open();
  ASSERT_TRUE(rec.flush());
  ASSERT_TRUE(rec.record(0, "btse", RawKind::ws, 0, {101, 101}, "after"));
  rec.close();
  EXPECT_FALSE(rec.record(0, "btse", RawKind::ws, 0, {}, "closed"));
  EXPECT_FALSE(rec.flush());
  EXPECT_EQ(rec.stats().dropped, 95u);
  EXPECT_EQ(rec.stats().records_written, 8u);

  const auto r = read_all(dir.str());
  ASSERT_EQ(r.records.size(), 8u);
  for (uint64_t i = 0; i < 7; ++i) EXPECT_EQ(r.records[i].seq, i);
  EXPECT_EQ(r.records[7].seq, 101u);
  EXPECT_EQ(r.records[7].payload, "after");
  EXPECT_EQ(r.stats.missing, 94u);  // seq 7..100: the 93 + 1 refused records
}

TEST(RecordQueue, MetaIsHeldWhileTheQueueIsFullAndKeepsItsPlace) {
  TempDir dir;
  Gate gate;
  RecorderOptions o;
  o.dir = dir.str();
  o.queue_bytes = 4096;
  o.on_thread_start = gate.hook();
  Recorder rec(o);
  const std::string payload(1000, 'p');
  int accepted = 0;
  for (int i = 0; i < 5; ++i) accepted += rec.record(0, "btse", RawKind::ws, 0, {}, payload);
  ASSERT_EQ(accepted, 3);
  EXPECT_TRUE(rec.record_meta("config", std::string(1000, 'c')));  // held, not dropped
  EXPECT_EQ(rec.stats().dropped, 2u);
  gate.open();
  ASSERT_TRUE(rec.flush());
  ASSERT_TRUE(rec.record(0, "btse", RawKind::ws, 0, {}, "next"));  // queues the meta first
  rec.close();
  const auto r = read_all(dir.str());
  ASSERT_EQ(r.records.size(), 5u);
  EXPECT_EQ(r.records[3].type, RecordType::meta);
  EXPECT_EQ(r.records[3].venue, "config");
  EXPECT_EQ(r.records[3].seq, 5u);
  EXPECT_EQ(r.records[4].payload, "next");
  EXPECT_EQ(r.records[4].seq, 6u);
}

TEST(RecordErrors, UnwritableDirectoryIsReportedAndCounted) {
  TempDir dir;
  test::spit(dir / "file", "a regular file");
  std::mutex m;
  std::vector<std::string> reported;
  RecorderOptions o;
  o.dir = dir / "file/recording";  // below a regular file: fails even for root
  o.on_error = [&](const std::string& msg) {
    std::lock_guard lk(m);
    reported.push_back(msg);
  };
  Recorder rec(o);
  EXPECT_FALSE(rec.flush());
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(rec.record(0, "btse", RawKind::ws, 0, {}, "frame"));
  EXPECT_FALSE(rec.flush());
  const RecorderStats st = rec.stats();
  EXPECT_EQ(st.errors, 1u);  // the retry is not due yet
  EXPECT_EQ(st.lost, 10u);
  EXPECT_EQ(st.records_written, 0u);
  EXPECT_EQ(st.segments, 0u);
  EXPECT_NE(rec.last_error().find("cannot create directory " + o.dir), std::string::npos)
      << rec.last_error();
  rec.close();
  std::lock_guard lk(m);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0], rec.last_error());
}

// RLIMIT_FSIZE makes writes past 64 KiB fail with EFBIG, like a full disk: the recorder
// reports, loses the block, retries on a fresh segment, and recovers once space is back.
TEST(RecordErrors, WriteFailureLosesTheBlockAndRecoversOnANewSegment) {
  TempDir dir;
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto* old_handler = signal(SIGXFSZ, SIG_IGN);
  RecorderOptions o;
  o.dir = dir.str();
  o.block_bytes = 8 << 10;
  o.flush_interval = std::chrono::hours(1);
  o.retry_interval = std::chrono::milliseconds(0);
  std::mt19937_64 rng(3);
  std::vector<std::string> sent;
  Recorder rec(o);
  ASSERT_TRUE(rec.flush());  // first segment open before the limit
  rlimit lim = old;
  lim.rlim_cur = 64 << 10;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
  bool failed = false;
  for (int i = 0; i < 100; ++i) {
    std::string p(2000, '\0');
    for (auto& c : p) c = static_cast<char>(rng());  // incompressible: 2 KiB on disk each
    ASSERT_TRUE(rec.record(0, "btse", RawKind::ws, 0, {}, p));
    sent.push_back(std::move(p));
    if (i % 10 == 9 && !rec.flush()) failed = true;
  }
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(failed);
  EXPECT_GE(rec.stats().errors, 1u);
  EXPECT_GT(rec.stats().lost, 0u);
  EXPECT_NE(rec.last_error().find("File too large"), std::string::npos) << rec.last_error();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(rec.record(0, "btse", RawKind::ws, 0, {}, "recovered " + std::to_string(i)));
    sent.push_back("recovered " + std::to_string(i));
  }
  EXPECT_TRUE(rec.flush());
  rec.close();
  const RecorderStats st = rec.stats();
  EXPECT_EQ(st.records_written + st.lost, sent.size());

  const auto r = read_all(dir.str());
  ASSERT_EQ(r.records.size(), st.records_written);
  for (const auto& rec_read : r.records) EXPECT_EQ(rec_read.payload, sent[rec_read.seq]);
  EXPECT_EQ(r.records.back().payload, "recovered 9");
  EXPECT_EQ(r.stats.missing, st.lost);
  for (const auto& is : r.issues) EXPECT_EQ(is.kind, IssueKind::torn_tail) << is.message;
}

// A child records continuously and reports, through a pipe, how many records it has
// flushed and fsynced; it is killed with SIGKILL mid-stream. Every record up to the last
// flush must read back, in order, and the reader must stop cleanly at the torn tail.
TEST(RecordKill, SigkillMidStreamLeavesAReadablePrefix) {
  TempDir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    RecorderOptions o;
    o.dir = dir.str();
    o.block_bytes = 2048;
    o.flush_interval = std::chrono::milliseconds(2);
    o.queue_bytes = 1 << 20;
    Recorder rec(o);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (uint64_t i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
      const std::string p = "frame " + std::to_string(i) + " " + std::string(i % 300, 'x');
      while (!rec.record(0, "btse", RawKind::ws, 0, {static_cast<int64_t>(i), 0}, p))
        rec.flush();  // keep the sequence of frames gap-free
      if (i % 200 == 199 && rec.flush()) {
        const uint64_t durable = i + 1;
        if (write(fds[1], &durable, sizeof durable) != sizeof durable) break;
      }
    }
    _exit(0);
  }
  close(fds[1]);
  uint64_t durable = 0;
  while (durable < 3000) {
    uint64_t v = 0;
    ASSERT_EQ(read(fds[0], &v, sizeof v), static_cast<ssize_t>(sizeof v)) << "child died early";
    durable = v;
  }
  // Not synchronisation: lands the kill at a random point of the child's write loop.
  std::this_thread::sleep_for(std::chrono::microseconds(std::random_device{}() % 5000));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  // Counts the child reported after `durable` but before it died are durable too.
  for (uint64_t v = 0; read(fds[0], &v, sizeof v) == sizeof v;) durable = v;
  close(fds[0]);

  const auto r = read_all(dir.str());
  ASSERT_GE(r.records.size(), durable);
  for (size_t i = 0; i < r.records.size(); ++i) {
    const std::string want = "frame " + std::to_string(i) + " ";
    ASSERT_EQ(r.records[i].payload.substr(0, want.size()), want) << i;
    ASSERT_EQ(r.records[i].t.wall_ns, static_cast<int64_t>(i));
  }
  ASSERT_LE(r.issues.size(), 1u);
  if (!r.issues.empty()) {
    EXPECT_EQ(r.issues[0].kind, IssueKind::torn_tail) << r.issues[0].message;
    EXPECT_EQ(r.issues[0].file, r.files.back());
  }
}

}  // namespace
}  // namespace mdhub::record
