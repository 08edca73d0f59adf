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
    /// The caches start warm instead of empty (CacheStart::warm): "warm-caches" in a list.
    bool warm_caches = false;

    static CollectorSelection none() { return {false, false, false, false, false, false}; }
    static CollectorSelection mix_only() { return {true, false, false, false, false, false}; }
    static CollectorSelection all() { return {}; }

    [[nodiscard]] CollectorSet make(const Target& target) const {
        CollectorSet set;
        if (mix) set.add_mix();
        if (branches) set.add_branches();
        if (memory) set.add_memory();
        if (caches) set.add_caches(target.caches, warm_caches ? CacheStart::warm : CacheStart::cold);
        if (pipeline) set.add_pipeline(target);
        if (dataflow) set.add_dataflow();
        return set;
    }
    /// "mix+branches+memory+caches+pipeline+dataflow", "none", ...
    [[nodiscard]] std::string key() const {
        std::string k;
        for (auto [on, name] : {std::pair{mix, "mix"},
                                {branches, "branches"},
                                {memory, "memory"},
                                {caches, warm_caches ? "warm-caches" : "caches"},
                                {pipeline, "pipeline"},
                                {dataflow, "dataflow"}})
            if (on) {
                if (!k.empty()) k += '+';
                k += name;
            }
        return k.empty() ? "none" : k;
    }
    friend bool operator==(const CollectorSelection&, const CollectorSelection&) = default;
};

} // namespace simtune
