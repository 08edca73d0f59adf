// libFuzzer target: the parser of the QEMU plugin's report (src/qemu_plugin/report_format.hpp);
// what it accepts must format back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <simtune/error.hpp>

#include "qemu_plugin/report_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto report = simtune::qemu_report::parse(text, "fuzz-input");
        // A round trip: the format is canonical, so what parsed must parse again to the same report.
        if (simtune::qemu_report::parse(simtune::qemu_report::format(report), "round trip") != report) std::abort();
    } catch (const simtune::Error&) {}
    return 0;
}
