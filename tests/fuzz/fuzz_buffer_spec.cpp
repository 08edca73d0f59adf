// libFuzzer target: the buffer-spec parser; what it accepts must format and parse back the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <simtune/error.hpp>
#include <simtune/kernel.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto buffers = simtune::parse_buffer_spec(text);
        const auto again = simtune::parse_buffer_spec(simtune::format_buffer_spec(buffers));
        if (again.size() != buffers.size()) std::abort();
        for (std::size_t i = 0; i < buffers.size(); ++i)
            if (again[i].name != buffers[i].name || again[i].count != buffers[i].count ||
                again[i].type != buffers[i].type || again[i].role != buffers[i].role)
                std::abort();
    } catch (const simtune::Error&) {}
    return 0;
}
