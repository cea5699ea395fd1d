#pragma once
// Boost.Serialization for the standard types a key or accumulator is likely made of, so that
// any composition of them goes into an archive. Boost 1.74 covers map, set, vector, string,
// pair and std::array; std::optional, std::tuple and std::variant it does not, so they are here.
#include <boost/serialization/array.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/set.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <variant>

// Boost finds these by argument-dependent lookup on its version_type argument, so they must
// live in its namespace.
namespace boost::serialization {

template <class Ar, class T>
void serialize(Ar& ar, std::optional<T>& t, const unsigned int /*version*/) {
    bool has = t.has_value();
    ar & has;
    if constexpr (Ar::is_saving::value) {
        if (has) ar & *t;
    } else {
        if (has) {
            T v{};
            ar & v;
            t = std::move(v);
        } else {
            t.reset();
        }
    }
}

template <class Ar, class... T>
void serialize(Ar& ar, std::tuple<T...>& t, const unsigned int /*version*/) {
    std::apply([&ar](auto&... e) { ((ar & e), ...); }, t);
}

template <class Ar, class... T>
void serialize(Ar& ar, std::variant<T...>& t, const unsigned int /*version*/) {
    std::uint32_t index = static_cast<std::uint32_t>(t.index());
    ar & index;
    if constexpr (Ar::is_saving::value) {
        std::visit([&ar](auto& e) { ar & e; }, t);
    } else {
        if (index >= sizeof...(T)) throw std::runtime_error("std::variant: bad alternative in archive");
        // Default-construct the stored alternative, then load into it.
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((index == I ? (t.template emplace<I>(), void(ar & std::get<I>(t))) : void()), ...);
        }(std::index_sequence_for<T...>{});
    }
}

}  // namespace boost::serialization
