#pragma once
// CollectorSelection: which built-in collectors a run uses, as a value that can be stored, printed
// and used as part of a cache key (a CollectorSet itself holds live state).
#include <string>

#include "simtune/collectors/collector_set.hpp"
#include "simtune/target.hpp"

namespace simtune {

struct CollectorSelection {
    bool mix = true;
    bool branches = true;
    bool memory = true;
    bool caches = true;
    bool pipeline = true; ///< LLVM MCA block costs (mca_*): about a millisecond per distinct block
    bool dataflow = true; ///< the dataflow limit (dataflow_cycles): a register walk per instruction
    /// With the caches and the dataflow limit: also the walk with memory (dataflow_memory_cycles),
    /// a second walk that asks the caches where each access was found. Off, that counter is 0 and
    /// a run costs what it did before the counter existed (predict() turns it off for a model that
    /// does not read it).
    bool dataflow_memory = true;
    /// Where the caches start: empty (CacheStart::cold, "caches" in a list), with the buffers
    /// cached (CacheStart::warm, "warm-caches"), or as the kernel's previous run left them
    /// (CacheStart::steady, "steady-caches": the kernel is simulated twice).
    CacheStart cache_start = CacheStart::cold;

    static CollectorSelection none() { return {false, false, false, false, false, false}; }
    static CollectorSelection mix_only() { return {true, false, false, false, false, false}; }
    static CollectorSelection all() { return {}; }

    [[nodiscard]] CollectorSet make(const Target& target) const {
        CollectorSet set;
        if (mix) set.add_mix();
        if (branches) set.add_branches();
        if (memory) set.add_memory();
        if (caches) set.add_caches(target.caches, cache_start);
        if (pipeline) set.add_pipeline(target);
        if (dataflow) set.add_dataflow();
        if (dataflow && !dataflow_memory) set.dataflow()->set_memory_walk(false);
        return set;
    }
    /// "mix+branches+memory+caches+pipeline+dataflow", "none", ...; "dataflow-without-memory" where
    /// the caches run but the walk with memory does not.
    [[nodiscard]] std::string key() const {
        std::string k;
        for (auto [on, name] : {std::pair{mix, "mix"},
                                {branches, "branches"},
                                {memory, "memory"},
                                {caches, cache_start == CacheStart::warm     ? "warm-caches"
                                         : cache_start == CacheStart::steady ? "steady-caches"
                                                                             : "caches"},
                                {pipeline, "pipeline"},
                                {dataflow, caches && !dataflow_memory ? "dataflow-without-memory" : "dataflow"}})
            if (on) {
                if (!k.empty()) k += '+';
                k += name;
            }
        return k.empty() ? "none" : k;
    }
    friend bool operator==(const CollectorSelection&, const CollectorSelection&) = default;
};

} // namespace simtune
