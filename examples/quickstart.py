"""Quickstart, Python: build a kernel, predict its run time, rank a few candidates."""
import simtune

# 1. A C kernel and its buffers → a kernel binary for the target.
add = simtune.build_kernel("""
    void simtune_kernel(const float* a, const float* b, float* c) {
        for (int i = 0; i < 4096; ++i) c[i] = a[i] + b[i];
    }""", "a:f32:4096:in;b:f32:4096:in;c:f32:4096:out", target="host-x86-64")

# 2. One call: simulate it and score it with the target's default model.
p = simtune.predict(add)
print(f"add: {p.seconds:.3g} s per call ({p.stats['instructions']} instructions simulated)")

# 3. Rank 8 schedules of a built-in GEMM by predicted time, in parallel.
tuner = simtune.Tuner(target="host-x86-64")
candidates = [simtune.Candidate.from_variant(v) for v in simtune.enumerate_variants("gemm-128x128x128", 8)]
for r in tuner.rank(candidates):
    print(f"{r.predicted_seconds:12.3g} s  {r.name}" if r.ok else f"failed: {r.name}: {r.error}")
