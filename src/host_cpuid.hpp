// What cpuid says the host's vendor is: read by the host target's caches (target.cpp) and by the
// pipeline model's choice of CPU (isa/pipeline_model.cpp), one decoding of leaf 0 for both.
#pragma once

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace simtune::detail {

enum class CpuVendor {
    unknown,
    intel,
    amd
};

struct CpuidVendor {
    CpuVendor vendor = CpuVendor::unknown;
    unsigned max_leaf = 0; ///< the highest basic leaf cpuid answers
};

/// The vendor string of cpuid leaf 0 ("GenuineIntel", "AuthenticAMD"); unknown with no cpuid.
inline CpuidVendor cpuid_vendor() {
#if defined(__x86_64__)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return {};
    if (ebx == 0x756E6547 && edx == 0x49656E69 && ecx == 0x6C65746E) return {CpuVendor::intel, eax};
    if (ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163) return {CpuVendor::amd, eax};
    return {CpuVendor::unknown, eax};
#else
    return {};
#endif
}

} // namespace simtune::detail
