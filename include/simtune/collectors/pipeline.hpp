#pragma once
// PipelineCollector: fills the mca_* counters. It takes the executed blocks of the kernel's code with
// their execution counts (EventKind::block_counts, once per distinct block after the run), reads each
// block's bytes from the kernel binary itself and asks the target CPU's pipeline model (LLVM MCA,
// isa/pipeline_model.hpp) what one iteration costs:
//
//   mca_cycles          = round(sum over blocks of cycles per iteration × executions)
//   mca_resource_cycles = round(sum of resource-bound reciprocal throughput × executions)
//   mca_uops            = sum of micro-ops × executions
//   mca_unsupported     = sum of instructions MCA could not model × executions
//
// Only blocks inside the kernel's `simtune_text` section count (under QEMU, code the kernel calls
// elsewhere is not analysed). The simulator binds the kernel and the model before contribute().
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "simtune/error.hpp"
#include "simtune/events.hpp"
#include "simtune/isa/pipeline_model.hpp"
#include "simtune/kernel.hpp"
#include "simtune/stats.hpp"

namespace simtune {

class PipelineCollector {
public:
    explicit PipelineCollector(PipelineCpu cpu) : cpu_(std::move(cpu)) {}

    [[nodiscard]] EventKind events() const noexcept { return EventKind::block_counts; }
    /// One execution (the StatsCollector contract); simulators use add_executions instead.
    void on_block(const DecodedBlock& block) { add_executions(block.address, block.end, 1); }
    void on_memory(const MemoryAccess&) noexcept {}
    /// `executions` runs of the block [address, end).
    void add_executions(std::uint64_t address, std::uint64_t end, std::uint64_t executions) {
        if (executions != 0 && end > address) executions_[{address, end}] += executions;
    }
    /// The binary whose code the blocks are in (kept cheaply: its bytes are shared) and the model
    /// that prices them (CollectorSet::bind passes PipelineModel::shared(cpu())).
    void bind(const KernelBinary& kernel, std::shared_ptr<const BlockCostModel> model) {
        kernel_.emplace(kernel);
        model_ = std::move(model);
    }

    /// Throws Error(invalid_argument) if blocks were counted but nothing is bound.
    void contribute(Stats& stats) const {
        if (executions_.empty()) return;
        if (!kernel_ || !model_)
            fail(ErrorKind::invalid_argument, "the pipeline collector counted blocks but no kernel binary was bound");
        const auto [code_lo, code_hi] = kernel_->kernel_code();
        double cycles = 0, resource_cycles = 0;
        for (const auto& [range, runs] : executions_) {
            const auto [address, end] = range;
            if (address < code_lo || end > code_hi) continue;
            const auto code = bytes_at(address, end);
            if (!code) continue;
            const BlockCost c = model_->cost(*code, address);
            cycles += c.cycles * static_cast<double>(runs);
            resource_cycles += c.resource_cycles * static_cast<double>(runs);
            stats.mca_uops += c.uops * runs;
            stats.mca_unsupported += std::uint64_t{c.unsupported} * runs;
        }
        stats.mca_cycles += static_cast<std::uint64_t>(std::llround(cycles));
        stats.mca_resource_cycles += static_cast<std::uint64_t>(std::llround(resource_cycles));
    }
    void reset() noexcept { executions_.clear(); }

    [[nodiscard]] const PipelineCpu& cpu() const noexcept { return cpu_; }
    /// Executions by block [first, second), for inspection and tests.
    [[nodiscard]] const std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t>& executions() const noexcept {
        return executions_;
    }

private:
    /// The file bytes of [address, end) if one loadable segment holds them all.
    [[nodiscard]] std::optional<std::span<const std::byte>> bytes_at(std::uint64_t address, std::uint64_t end) const {
        for (const auto& s : kernel_->segments())
            if (address >= s.vaddr && end <= s.vaddr + s.file_size &&
                s.file_offset + s.file_size <= kernel_->bytes().size())
                return kernel_->bytes().subspan(s.file_offset + (address - s.vaddr), end - address);
        return std::nullopt;
    }

    PipelineCpu cpu_;
    std::optional<KernelBinary> kernel_;
    std::shared_ptr<const BlockCostModel> model_;
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> executions_;
};

} // namespace simtune
