// Hostile inputs and interruptions (issue 16): names in the shared temp directory that someone else
// created, received binaries planted under their hash name, files that never end (a FIFO,
// /dev/zero) or are huge, numbers in a dataset CSV that do not fit their type, names that would
// break the CSV, time limits that overflow a deadline, report files that cannot be written, and a
// request to stop (SIGINT/SIGTERM) while children and simulations run.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <simtune/build.hpp>
#include <simtune/collectors/collector_set.hpp>
#include <simtune/interrupt.hpp>
#include <simtune/kernel.hpp>
#include <simtune/predictors/any_predictor.hpp>
#include <simtune/process.hpp>
#include <simtune/scorer.hpp>
#include <simtune/simulators/any_simulator.hpp>
#include <simtune/simulators/unicorn.hpp>
#include <simtune/target.hpp>
#include <simtune/tuning/dataset.hpp>
#include <simtune/tuning/pool.hpp>
#include <simtune/tuning/sharded_run.hpp>
#include <simtune/util.hpp>

#include "../src/qemu_plugin/report_format.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace simtune;
using simtune::testing::check_error;
using simtune::testing::scratch_dir;

namespace {

const std::string twice_c =
    "void simtune_kernel(const float *a, float *c) { for (int i = 0; i < 64; ++i) c[i] = a[i] * 2.0f; }";
const std::string thrice_c =
    "void simtune_kernel(const float *a, float *c) { for (int i = 0; i < 64; ++i) c[i] = a[i] * 3.0f; }";
const char* const buffers = "a:f32:64:in;c:f32:64:out";

KernelBinary build(const std::string& source, const fs::path& cache) {
    BuildOptions options;
    options.cache_dir = cache;
    return build_kernel(source, parse_buffer_spec(buffers), host_x86_64(), options);
}

/// Sets (or, with nullopt, unsets) an environment variable for the scope, then restores it.
class ScopedEnv {
public:
    ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) ::setenv(name, value->c_str(), 1);
        else ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

std::string slurp(const fs::path& p) { return read_file(p); }

} // namespace

TEST_CASE("private_directory creates 0700 and refuses a directory someone else could control") {
    const auto dir = scratch_dir("private");
    CHECK(private_directory(dir / "mine") == dir / "mine");
    CHECK(mode_of(dir / "mine") == 0700);
    CHECK_NOTHROW(private_directory(dir / "mine")); // existing and right: accepted

    fs::create_directory(dir / "open");
    fs::permissions(dir / "open", fs::perms::all);
    check_error([&] { private_directory(dir / "open"); }, ErrorKind::io, {"open", "mode 0777"});

    fs::create_directory(dir / "target");
    fs::create_directory_symlink(dir / "target", dir / "link");
    check_error([&] { private_directory(dir / "link"); }, ErrorKind::io, "symbolic link");

    std::ofstream(dir / "file") << "x";
    check_error([&] { private_directory(dir / "file"); }, ErrorKind::io, "not a directory");

    if (::geteuid() == 0) { // only root can give a directory away to test a foreign owner
        fs::create_directory(dir / "foreign");
        fs::permissions(dir / "foreign", fs::perms::owner_all, fs::perm_options::replace);
        REQUIRE(::lchown((dir / "foreign").c_str(), 65534, 65534) == 0);
        check_error([&] { private_directory(dir / "foreign"); }, ErrorKind::io, "belongs to user id 65534");
    }
    fs::remove_all(dir);
}

TEST_CASE("a received binary planted under its hash name is replaced, never run") {
    const auto dir = scratch_dir("planted");
    CandidateResult r;
    r.name = "twice";
    r.binary = build(twice_c, dir / "cache-sent");
    const auto sent = r.binary->bytes();
    const auto message = encode_results(std::span(&r, 1), true);
    fs::remove_all(dir / "cache-sent"); // "another machine": the sent path is not on this disk

    // Someone (or a crashed run) left another valid kernel under the name the copy will have.
    const auto planted = build(thrice_c, dir / "cache-planted");
    fs::create_directories(dir / "received");
    fs::copy_file(planted.path(), dir / "received" / (r.binary->content_hash() + ".elf"));

    const auto got = decode_results(message, dir / "received");
    REQUIRE(got[0].binary);
    CHECK(std::ranges::equal(got[0].binary->bytes(), sent));
    CHECK(got[0].binary->path() == dir / "received" / (r.binary->content_hash() + ".elf"));
    CHECK(std::ranges::equal(KernelBinary::load(got[0].binary->path()).bytes(), sent));
    fs::remove_all(dir);
}

TEST_CASE("received binaries go to a per-user 0700 directory in the temp directory, not a shared name") {
    const auto dir = scratch_dir("received-default");
    const ScopedEnv tmpdir("TMPDIR", dir.string());
    CandidateResult r;
    r.name = "twice";
    r.binary = build(twice_c, dir / "cache");
    const auto message = encode_results(std::span(&r, 1), true);
    fs::remove_all(dir / "cache");

    const auto mine = dir / fmt::format("simtune-received-{}", ::geteuid());
    const auto got = decode_results(message);
    REQUIRE(got[0].binary);
    CHECK(got[0].binary->path().parent_path() == mine);
    CHECK(mode_of(mine) == 0700);
    CHECK(mode_of(got[0].binary->path()) == 0700);

    // The same name made by someone else (world-writable): refused, nothing is run from it.
    fs::remove_all(mine);
    fs::create_directory(mine);
    fs::permissions(mine, fs::perms::all);
    check_error([&] { (void)decode_results(message); }, ErrorKind::io, {mine.string(), "mode 0777"});
    fs::remove_all(dir);
}

TEST_CASE("without HOME the build cache is a per-user 0700 directory in the temp directory") {
    const auto dir = scratch_dir("cache-fallback");
    const ScopedEnv tmpdir("TMPDIR", dir.string()), cache("SIMTUNE_CACHE_DIR", std::nullopt),
        xdg("XDG_CACHE_HOME", std::nullopt), home("HOME", std::nullopt);
    const auto mine = dir / fmt::format("simtune-cache-{}", ::geteuid());
    const auto binary = build_kernel(twice_c, parse_buffer_spec(buffers), host_x86_64());
    CHECK(binary.path().string().starts_with(mine.string() + "/"));
    CHECK(mode_of(mine) == 0700);

    fs::permissions(mine, fs::perms::all); // as if someone else had made it for us
    check_error([&] { (void)build_kernel(twice_c, parse_buffer_spec(buffers), host_x86_64()); }, ErrorKind::io,
                {mine.string(), "mode 0777"});
    fs::remove_all(dir);
}

namespace {

/// Sets or clears the immutable attribute of `file` (root can delete anything else); false where the
/// file system or the capabilities do not allow it.
bool set_immutable(const fs::path& file, bool on) {
    const int fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0) return false;
    int flags = 0;
    bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    ok = ok && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    ::close(fd);
    return ok;
}

/// Makes `dir`/x impossible to delete, or (on = false) deletable again: the immutable attribute as
/// root, a read-only directory otherwise. False if that could not be done.
bool pin(const fs::path& dir, bool on) {
    if (::geteuid() == 0) return set_immutable(dir / "x", on);
    std::error_code ec;
    fs::permissions(dir, on ? fs::perms::owner_read | fs::perms::owner_exec : fs::perms::owner_all,
                    fs::perm_options::replace, ec);
    return !ec;
}

} // namespace

TEST_CASE("a build without the cache never deletes or replaces the entry others are using") {
    // 7e8c819 emptied the published entry (remove_all) before renaming its rebuild in: for that
    // moment a reader found no binary, and afterwards the path named another file than the one
    // readers had loaded.
    const auto dir = scratch_dir("no-cache");
    const auto cached = build(twice_c, dir / "cache");
    const auto path = cached.path();
    struct stat before {};
    REQUIRE(::stat(path.c_str(), &before) == 0);

    std::atomic<bool> done{false};
    std::atomic<long> looks{0}, missing{0};
    std::thread reader([&] { // another process about to open the cached binary, again and again
        while (!done) {
            if (::access(path.c_str(), R_OK) != 0) ++missing;
            ++looks;
        }
    });
    BuildOptions fresh;
    fresh.cache_dir = dir / "cache";
    fresh.use_cache = false;
    for (int i = 0; i < 3; ++i) {
        const auto rebuilt = build_kernel(twice_c, parse_buffer_spec(buffers), host_x86_64(), fresh);
        CHECK(rebuilt.content_hash() == cached.content_hash());
    }
    done = true;
    reader.join();
    CHECK(looks.load() > 0);
    CHECK(missing.load() == 0);
    struct stat after {};
    REQUIRE(::stat(path.c_str(), &after) == 0);
    CHECK(after.st_ino == before.st_ino); // the very file readers have open, not a copy
    CHECK(KernelBinary::load(path).content_hash() == cached.content_hash());
    fs::remove_all(dir);
}

TEST_CASE("a damaged cache entry that cannot be deleted is repaired in place, without throwing") {
    // 7e8c819 deleted a damaged entry with the throwing remove_all: a file it could not delete made
    // build_kernel throw std::filesystem::filesystem_error instead of rebuilding.
    const auto dir = scratch_dir("damaged-entry");
    const auto good = build(thrice_c, dir / "cache");
    const auto entry = good.path().parent_path();
    const auto bytes = read_file(good.path());
    std::ofstream(good.path(), std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
    check_error([&] { (void)KernelBinary::load(good.path()); }, ErrorKind::invalid_binary, "truncated");
    fs::create_directory(entry / "pinned");
    std::ofstream(entry / "pinned" / "x") << "a file someone keeps here";
    if (!pin(entry / "pinned", true)) {
        MESSAGE("cannot make a file undeletable here; skipped");
        fs::remove_all(dir);
        return;
    }
    std::optional<KernelBinary> repaired;
    CHECK_NOTHROW(repaired = build(thrice_c, dir / "cache"));
    REQUIRE(pin(entry / "pinned", false));
    REQUIRE(repaired);
    CHECK(repaired->path() == good.path());
    CHECK(repaired->content_hash() == good.content_hash());
    CHECK(KernelBinary::load(good.path()).content_hash() == good.content_hash());
    CHECK(fs::exists(entry / "pinned" / "x"));
    fs::remove_all(dir);
}

TEST_CASE("the built-in model never goes through a file in the shared temp directory") {
    // 7e8c819 wrote the shipped model to $TMPDIR/simtune-builtin-<target>-<pid>-<n>.model with a
    // plain ofstream: a symbolic link planted under that name made it overwrite any file the user
    // could write. Built-in models are parsed from memory now.
    const auto dir = scratch_dir("builtin-model");
    const ScopedEnv tmpdir("TMPDIR", dir.string());
    fs::create_directory(dir / "victim-dir");
    std::ofstream(dir / "victim-dir" / "precious") << "precious\n";
    for (int n = 0; n < 4; ++n)
        fs::create_symlink(dir / "victim-dir" / "precious",
                           dir / fmt::format("simtune-builtin-host-x86-64-{}-{}.model", ::getpid(), n));
    (void)default_model(host_x86_64());
    CHECK(slurp(dir / "victim-dir" / "precious") == "precious\n");
    fs::remove_all(dir);
}

TEST_CASE("a kernel binary that is a FIFO, a device or huge is refused before reading") {
    const auto dir = scratch_dir("huge");
    REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    const auto start = std::chrono::steady_clock::now();
    check_error([&] { (void)KernelBinary::load(dir / "fifo"); }, ErrorKind::io, "not a regular file");
    check_error([&] { (void)KernelBinary::load("/dev/zero"); }, ErrorKind::io, "not a regular file");
    // Sparse: 300 MiB of nothing on the disk, far more than a kernel binary.
    {
        std::ofstream(dir / "huge") << "\x7f"
                                       "ELF";
    }
    fs::resize_file(dir / "huge", 300u << 20);
    check_error([&] { (void)KernelBinary::load(dir / "huge"); }, ErrorKind::io, "larger than the limit");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    check_error([&] { (void)read_file(dir / "huge", "model", 1000); }, ErrorKind::io,
                {"model", "larger than the limit of 1000"});
    fs::remove_all(dir);
}

TEST_CASE("dataset CSV numbers that do not fit their type, and names that would break the CSV, are refused") {
    const auto dir = scratch_dir("dataset-reader");
    Dataset d;
    DatasetRow row;
    row.workload = "w";
    row.variant = "v";
    row.knobs = {{"tm", 8}};
    row.stats["unicorn"].instructions = 1000;
    row.seconds = row.median_seconds = 1e-3;
    d.rows.push_back(row);
    d.save_csv(dir / "good.csv");
    const std::string good = slurp(dir / "good.csv");
    REQUIRE(Dataset::load_csv(dir / "good.csv").rows.at(0).knobs.at("tm") == 8);

    const auto with = [&](std::string_view from, std::string_view to) {
        std::string text = good;
        const auto at = text.find(from, text.find('\n'));
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), to);
        std::ofstream(dir / "bad.csv") << text;
        return dir / "bad.csv";
    };
    check_error([&] { (void)Dataset::load_csv(with("tm=8", "tm=3000000000")); }, ErrorKind::invalid_data,
                {"knobs", "3000000000", "not a whole number"});
    check_error([&] { (void)Dataset::load_csv(with("tm=8", "tm=2.5")); }, ErrorKind::invalid_data,
                "not a whole number");
    check_error([&] { (void)Dataset::load_csv(with(",1000,", ",1e30,")); }, ErrorKind::invalid_data,
                {"unicorn.instructions", "not a whole number"});
    check_error([&] { (void)Dataset::load_csv(with(",1000,", ",12.75,")); }, ErrorKind::invalid_data,
                "not a whole number");

    for (auto [workload, knob] : {std::pair{"a,b", "tm"}, {"w", "t;m"}, {"w", "t=m"}, {"w\nx", "tm"}}) {
        Dataset bad = d;
        bad.rows[0].workload = workload;
        bad.rows[0].knobs = {{knob, 1}};
        check_error([&] { bad.save_csv(dir / "names.csv"); }, ErrorKind::invalid_data,
                    "cannot be written to a dataset CSV");
    }
    fs::remove_all(dir);
}

TEST_CASE("a time limit that would overflow the deadline is refused") {
    ProcessOptions options;
    options.timeout = std::chrono::milliseconds(INT64_MAX / 1000);
    check_error([&] { (void)run_process({"true"}, options); }, ErrorKind::invalid_argument, "timeout");
    options.timeout = max_timeout;
    CHECK(run_process({"true"}, options).ok());
    check_error(
        [&] {
            UnicornSimulator(SimulationLimits{1000, std::chrono::milliseconds(INT64_MAX / 1000)});
        },
        ErrorKind::invalid_argument, "time limit");
}

TEST_CASE("report files are written atomically, and a failed write is an error") {
    const auto dir = scratch_dir("atomic");
    write_file_atomically(dir / "report.md", "one\n");
    write_file_atomically(dir / "report.md", "two\n");
    CHECK(slurp(dir / "report.md") == "two\n");
    fs::create_directory(dir / "in-the-way");
    check_error([&] { write_file_atomically(dir / "in-the-way", "x"); }, ErrorKind::io, "in-the-way");
    check_error([&] { write_file_atomically(dir / "no" / "such" / "dir.md", "x"); }, ErrorKind::io, "dir.md");
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2); // no temporary left
    fs::remove_all(dir);
}

TEST_CASE("an interruption kills running children at once and cancels what has not started") {
    reset_interrupt();
    // A child that would run for a minute is killed within moments of the request.
    std::optional<Error> error;
    std::thread waiter([&] {
        try {
            (void)run_process({"sleep", "60"});
        } catch (const Error& e) {
            error = e;
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto start = std::chrono::steady_clock::now();
    request_interrupt(SIGTERM);
    waiter.join();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
    REQUIRE(error);
    CHECK(error->kind() == ErrorKind::cancelled);
    CHECK(std::string(error->what()).find("signal 15") != std::string::npos);
    CHECK(interrupt_signal() == SIGTERM);

    // No new child, no new simulation while the request stands.
    check_error([&] { (void)run_process({"true"}); }, ErrorKind::cancelled, "interrupted");
    const auto dir = scratch_dir("interrupt");
    PoolOptions options;
    options.build.cache_dir = dir;
    SimulationPool pool(host_x86_64(), simulator_factory("unicorn"), options);
    const std::vector<Candidate> batch{Candidate::from_source("twice", twice_c, parse_buffer_spec(buffers))};
    check_error([&] { (void)pool.run(batch); }, ErrorKind::cancelled, "interrupted");
    CHECK_FALSE(fs::exists(dir / "kernels")); // nothing was built

    reset_interrupt();
    CHECK_FALSE(interrupt_requested());
    const auto results = pool.run(batch);
    CHECK(results.at(0).ok());
    fs::remove_all(dir);
}

TEST_CASE("an interruption stops a long Unicorn simulation within moments") {
    reset_interrupt();
    const auto dir = scratch_dir("interrupt-unicorn");
    BuildOptions build_options;
    build_options.cache_dir = dir;
    // Runs for minutes under Unicorn (2^40 iterations), but checks the clock every few thousand blocks.
    const auto spin = build_kernel("void simtune_kernel(float *c) { for (unsigned long i = 0; i < (1ul << 40); ++i) "
                                   "((volatile float *)c)[i & 63] += 1.0f; }",
                                   parse_buffer_spec("c:f32:64:out"), host_x86_64(), build_options);
    std::optional<Error> error;
    std::thread sim([&] {
        try {
            UnicornSimulator unicorn;
            CollectorSet collectors;
            (void)unicorn.run(spin, host_x86_64(), collectors);
        } catch (const Error& e) {
            error = e;
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto start = std::chrono::steady_clock::now();
    request_interrupt(SIGINT);
    sim.join();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    REQUIRE(error);
    CHECK(error->kind() == ErrorKind::cancelled);
    reset_interrupt();
    fs::remove_all(dir);
}

TEST_CASE("fuzzing regression: segments 1 TiB apart are refused by Unicorn at once, not mapped page by page") {
    // Found by fuzz_kernel_binary (tests/fuzz/regressions): a valid kernel whose code segment was
    // moved to 0x10000011000, 1 TiB above the others. Unicorn's per-page table of the image then
    // had 2^28 entries and its loop ran for minutes (libFuzzer: timeout).
    const auto binary = KernelBinary::load(fs::path(SIMTUNE_SOURCE_DIR) /
                                           "tests/fuzz/regressions/kernel_binary-segments-1tib-apart.elf");
    const auto start = std::chrono::steady_clock::now();
    UnicornSimulator unicorn(SimulationLimits{20'000, std::chrono::milliseconds(200)});
    CollectorSet collectors;
    check_error([&] { (void)unicorn.run(binary, host_x86_64(), collectors); }, ErrorKind::invalid_binary,
                {"loadable segments span [0x400000, 0x10000012000)", "at most 256 MiB"});
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("the fuzz seeds are accepted by today's parsers, so the fuzzers start past the header") {
    // The QEMU report seeds were still version 2 after the report went to version 4: every seed was
    // rejected at its first line and fuzz_qemu_report had to rediscover the whole format.
    const fs::path corpus = fs::path(SIMTUNE_SOURCE_DIR) / "tests/fuzz/corpus";
    auto seeds = [&](const char* target) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(corpus / target)) files.push_back(entry.path());
        REQUIRE(!files.empty());
        return files;
    };
    auto text_of = [](const fs::path& file) {
        std::ifstream in(file, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    for (const auto& file : seeds("qemu_report")) {
        CAPTURE(file);
        const auto report = qemu_report::parse(text_of(file), file.string());
        CHECK(qemu_report::format(report) == text_of(file));
    }
    for (const auto& file : seeds("model_file")) {
        CAPTURE(file);
        std::ifstream in(file);
        CHECK_NOTHROW((void)load_model(in, file.string()));
    }
    for (const auto& file : seeds("dataset_csv")) {
        CAPTURE(file);
        CHECK(!Dataset::load_csv(file).simulators().empty());
    }
    for (const auto& file : seeds("kernel_binary")) {
        CAPTURE(file);
        CHECK_NOTHROW((void)KernelBinary::load(file));
    }
}
