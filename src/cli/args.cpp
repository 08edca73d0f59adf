#include "args.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

namespace simtune::cli {

ArgParser::ArgParser(std::string command, std::string synopsis, std::string summary)
    : command_(std::move(command)), synopsis_(std::move(synopsis)), summary_(std::move(summary)) {
    flag("help", "show this help and exit", 'h');
}

ArgParser& ArgParser::option(std::string name, std::string metavar, std::string help,
                             std::optional<std::string> default_value, char short_name, bool repeatable) {
    specs_.push_back(
        {std::move(name), std::move(metavar), std::move(help), std::move(default_value), short_name, true, repeatable});
    return *this;
}

ArgParser& ArgParser::flag(std::string name, std::string help, char short_name) {
    specs_.push_back({std::move(name), {}, std::move(help), std::nullopt, short_name, false, false});
    return *this;
}

ArgParser& ArgParser::positional(std::string metavar, std::string help, std::size_t min_count, std::size_t max_count) {
    positional_specs_.push_back({std::move(metavar), std::move(help), min_count, max_count});
    return *this;
}

ArgParser& ArgParser::epilog(std::string text) {
    epilog_ = std::move(text);
    return *this;
}

const ArgParser::Spec* ArgParser::find_long(std::string_view name) const {
    const auto it = std::ranges::find(specs_, name, &Spec::name);
    return it == specs_.end() ? nullptr : &*it;
}

const ArgParser::Spec* ArgParser::find_short(char c) const {
    const auto it = std::ranges::find(specs_, c, &Spec::short_name);
    return it == specs_.end() ? nullptr : &*it;
}

const ArgParser::Spec& ArgParser::spec(std::string_view name) const {
    const auto* s = find_long(name);
    if (!s) throw std::logic_error(fmt::format("{}: option --{} was never declared", command_, name));
    return *s;
}

bool ArgParser::parse(std::span<const std::string> args) {
    values_.clear();
    positional_values_.clear();
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (options_done || arg.size() < 2 || arg[0] != '-') {
            positional_values_.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        const Spec* s = nullptr;
        std::optional<std::string> inline_value;
        std::string shown;
        if (arg.starts_with("--")) {
            const auto eq = arg.find('=');
            const auto name = std::string_view(arg).substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
            if (eq != std::string::npos) inline_value = arg.substr(eq + 1);
            s = find_long(name);
            shown = "--" + std::string(name);
        } else {
            // "-o FILE" or "-oFILE"
            s = find_short(arg[1]);
            shown = arg.substr(0, 2);
            if (arg.size() > 2) inline_value = arg.substr(2);
        }
        if (!s) {
            std::string known;
            for (const auto& sp : specs_) known += (known.empty() ? "--" : ", --") + sp.name;
            throw UsageError(fmt::format("unknown option '{}' (options of '{}': {})", shown, command_, known));
        }
        if (!s->takes_value) {
            if (inline_value) throw UsageError(fmt::format("option '{}' takes no value", shown));
            values_[s->name] = {"1"};
            if (s->name == "help") {
                fmt::print("{}", help());
                return false;
            }
            continue;
        }
        std::string value;
        if (inline_value) {
            value = *inline_value;
        } else {
            // The next argument is the value even if it starts with '-' (e.g. --flag -O3).
            if (i + 1 >= args.size())
                throw UsageError(fmt::format("option '{}' needs a value ({})", shown, s->metavar));
            value = args[++i];
        }
        auto& slot = values_[s->name];
        if (s->repeatable) slot.push_back(std::move(value));
        else slot = {std::move(value)};
    }

    // Distribute the positionals over their specs.
    std::size_t needed = 0;
    for (const auto& p : positional_specs_) needed += p.min_count;
    if (positional_values_.size() < needed) {
        std::string names;
        for (const auto& p : positional_specs_) names += (names.empty() ? "" : " ") + p.metavar;
        throw UsageError(fmt::format("'{}' needs {} (see --help)", command_, names.empty() ? "no arguments" : names));
    }
    std::size_t capacity = 0;
    bool unbounded = false;
    for (const auto& p : positional_specs_) {
        if (p.max_count == 0) unbounded = true;
        capacity += p.max_count;
    }
    if (!unbounded && positional_values_.size() > capacity)
        throw UsageError(fmt::format("unexpected argument '{}' for '{}'", positional_values_[capacity], command_));
    return true;
}

std::string ArgParser::help() const {
    std::string out = fmt::format("usage: {} {}\n\n{}\n", command_, synopsis_, summary_);
    if (!positional_specs_.empty()) {
        out += "\narguments:\n";
        for (const auto& p : positional_specs_) out += fmt::format("  {:<26} {}\n", p.metavar, p.help);
    }
    out += "\noptions:\n";
    for (const auto& s : specs_) {
        std::string left =
            s.short_name ? fmt::format("-{}, --{}", s.short_name, s.name) : fmt::format("    --{}", s.name);
        if (s.takes_value) left += " " + s.metavar;
        std::string right = s.help;
        if (s.default_value) right += fmt::format(" (default: {})", *s.default_value);
        if (s.repeatable) right += " (repeatable)";
        if (left.size() > 26) out += fmt::format("  {}\n  {:<26} {}\n", left, "", right);
        else out += fmt::format("  {:<26} {}\n", left, right);
    }
    if (!epilog_.empty()) out += "\n" + epilog_ + (epilog_.ends_with('\n') ? "" : "\n");
    return out;
}

bool ArgParser::has(std::string_view name) const {
    const auto& s = spec(name);
    return values_.contains(name) || s.default_value.has_value();
}

std::optional<std::string> ArgParser::get_optional(std::string_view name) const {
    const auto& s = spec(name);
    if (const auto it = values_.find(name); it != values_.end() && !it->second.empty()) return it->second.back();
    return s.default_value;
}

std::string ArgParser::get(std::string_view name) const {
    auto v = get_optional(name);
    if (!v) throw UsageError(fmt::format("'{}' needs --{} {}", command_, name, spec(name).metavar));
    return *v;
}

std::vector<std::string> ArgParser::get_all(std::string_view name) const {
    const auto& s = spec(name);
    if (const auto it = values_.find(name); it != values_.end()) return it->second;
    if (s.default_value) return {*s.default_value};
    return {};
}

std::int64_t ArgParser::get_int(std::string_view name, std::int64_t min, std::int64_t max) const {
    const auto text = get(name);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        throw UsageError(fmt::format("--{} expects an integer, got '{}'", name, text));
    if (value < min || value > max)
        throw UsageError(fmt::format("--{} must be between {} and {}, got {}", name, min, max, value));
    return value;
}

double ArgParser::get_double(std::string_view name, double min, double max) const {
    const auto text = get(name);
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value))
        throw UsageError(fmt::format("--{} expects a number, got '{}'", name, text));
    if (value < min || value > max)
        throw UsageError(fmt::format("--{} must be between {} and {}, got {}", name, min, max, value));
    return value;
}

} // namespace simtune::cli
