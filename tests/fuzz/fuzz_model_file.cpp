// libFuzzer target: the model-file reader (load_model from a stream: ridge and GBT models), then
// one prediction with the loaded model.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <simtune/error.hpp>
#include <simtune/predictors/any_predictor.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
        const auto model = simtune::load_model(in, "fuzz-input");
        const std::vector<double> row(model.feature_names().size(), 1000.0);
        (void)model.predict(row);
    } catch (const simtune::Error&) {}
    return 0;
}
