#pragma once
// Shared context of the two data-set generators. A unit is (data set, provider, financial
// year, part): part 0 = referrals received before the first year and still open (first year
// only), parts 1-12 = referrals received in month 1-12 of the financial year (April = 1).
#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <nlohmann/json.hpp>
#include <vector>

#include "model/dates.hpp"
#include "model/schema.hpp"
#include "synth/calib.hpp"
#include "synth/catalogue.hpp"
#include "synth/emit.hpp"
#include "synth/rng.hpp"
#include "synth/synth.hpp"

namespace mhbench::synth {

/// A code with its relative weight; tables of them are drawn from with draw().
struct WeightedCode {
    std::string_view code;
    double weight;
};
template <std::size_t N>
std::string_view draw(Rng& r, const WeightedCode (&w)[N]) {
    return w[r.pick(std::span<const WeightedCode>(w, N))].code;
}

/// Days before the period from which referrals are generated for the carry-in (part 0); only
/// those still open at its start are kept. Talking Therapies courses rarely last a year; MHSDS
/// long-running care lasts years, so its whole history of about three years is generated, and
/// the care open at the start of every year of a run comes from the same process.
constexpr int kCarryDaysIapt = 400, kCarryDaysMhsds = 3 * 365;

struct Unit {
    Dataset ds;
    int prov, year, part;  // year = index into Ctx::years
    double cost;           // expected output bytes, for batching and balancing
};

inline int month_serial(Day d) {
    const Civil c = civil_from_days(d);
    return c.year * 12 + static_cast<int>(c.month) - 1;
}
inline Day month_first_day(int ms) { return days_from_civil(ms / 12, static_cast<unsigned>(ms % 12 + 1), 1); }

/// A Talking Therapies provider in one generated year (published size of the nearest year).
struct TtYear {
    bool active = true;  // false: the provider published nothing that year (not submitting)
    double referrals = 0, finished_share = 0;
    const std::array<double, kCats>* mix = nullptr;  // complaints of finished courses
};

/// The person of a referral: its own new person, or one first referred earlier (come back).
struct PersonRef {
    std::uint64_t prefix, seq;
    Day birth;
    bool is_new;
};

struct Ctx {
    Options opt;
    std::vector<FinancialYear> years;
    Day start = 0, end = 0;  // first and last day of the period
    int first_ms = 0, last_ms = 0;
    const Catalogue* cat = nullptr;

    std::vector<std::vector<TtYear>> tt;  // [provider][year]
    std::array<std::array<double, kCats>, 2> national_mix{};

    explicit Ctx(const Options& o);

    double data_fault_rate() const { return opt.data_fault_rate < 0 ? opt.fault_rate : opt.data_fault_rate; }
    const TtYear& tt_year(int prov, int year) const { return tt[static_cast<std::size_t>(prov)][static_cast<std::size_t>(year)]; }
    /// Last day the provider submits, seen from a year it is active in: the end of its run of
    /// active years (a provider that stops submitting leaves its open referrals open).
    Day tt_stop(int prov, int year) const {
        int y = year;
        while (y + 1 < static_cast<int>(years.size()) && tt_year(prov, y + 1).active) ++y;
        return years[static_cast<std::size_t>(y)].last_day();
    }
    /// True when an MHSDS provider submits in the financial year starting in start_year.
    bool mhsds_active(int prov, int start_year) const {
        const Provider& p = cat->mhsds[static_cast<std::size_t>(prov)];
        return start_year >= p.first_year && start_year <= p.last_year;
    }
    /// Last day an MHSDS provider submits in the period (its open referrals stay open after).
    Day mhsds_stop(int prov) const {
        const Provider& p = cat->mhsds[static_cast<std::size_t>(prov)];
        return p.last_year < years.back().start_year ? FinancialYear{p.last_year}.last_day() : end;
    }
    /// True when the provider sends a submission for month serial ms.
    bool submitting(Dataset ds, int prov, int ms) const {
        const int y = std::clamp((ms - first_ms) / 12, 0, static_cast<int>(years.size()) - 1);
        if (ds != Dataset::Iapt) return mhsds_active(prov, years[static_cast<std::size_t>(y)].start_year);
        return tt_year(prov, y).active;
    }
    PersonRef person_of(const Unit& u, std::uint64_t i) const;

    /// Numeric submission id: YYYYMM, data set and resubmission digit, provider index.
    /// Increases with time for a provider; a resubmission is above its month's primary.
    static std::uint64_t submission_id(Dataset ds, int prov, int ms, bool resub) {
        const std::uint64_t yyyymm = static_cast<std::uint64_t>(ms / 12) * 100 + static_cast<std::uint64_t>(ms % 12 + 1);
        return yyyymm * 100000 + static_cast<std::uint64_t>((ds == Dataset::Mhsds ? 2 : 0) + (resub ? 1 : 0)) * 10000 +
               static_cast<std::uint64_t>(prov);
    }
    /// About 10% of provider-months are resubmitted; a stateless coin so any unit can ask.
    bool has_resub(Dataset ds, int prov, int ms) const {
        return unit_double(mix({opt.seed, 0x5245ull, static_cast<std::uint64_t>(ds), static_cast<std::uint64_t>(prov),
                                static_cast<std::uint64_t>(ms)})) < 0.10;
    }
    /// Referrals a provider receives in a year: stochastic rounding, at least one when expected > 0.
    std::int64_t year_count(Dataset ds, int prov, int year) const;
    /// Referrals of one unit: the year's count split over months with a random phase, or the
    /// carry-in count for part 0.
    std::int64_t unit_count(const Unit& u) const;
    /// Fixed-width id prefix of a unit: 1, provider (4 digits), year index (2), part (2).
    static std::uint64_t id_prefix(const Unit& u) {
        return 100000000ull + static_cast<std::uint64_t>(u.prov) * 10000 + static_cast<std::uint64_t>(u.year) * 100 +
               static_cast<std::uint64_t>(u.part);
    }
    /// Prefix of the fresh ids of a unit's faulty rows: same width, leading 2 instead of 1,
    /// so they never equal a generated id.
    static std::uint64_t fault_prefix(const Unit& u) { return id_prefix(u) + 100000000ull; }
    Rng stream(const Unit& u, std::uint64_t which) const {
        return Rng(mix({opt.seed, static_cast<std::uint64_t>(u.ds), static_cast<std::uint64_t>(u.prov),
                        static_cast<std::uint64_t>(u.year), static_cast<std::uint64_t>(u.part), which}));
    }
};

/// Submission copies of a record whose event falls on day d: the primary submission of that
/// month (months before the period go to its first month), plus, when that provider-month is
/// resubmitted, a repeat in the resubmission for 30% of records.
class Copies {
public:
    Copies(const Ctx& ctx, Dataset ds, int prov, Rng& resub_rng) : ctx_(ctx), ds_(ds), prov_(prov), rng_(resub_rng) {}
    void add(std::vector<std::uint64_t>& v, Day d) {
        const int ms = std::max(month_serial(d), ctx_.first_ms);
        v.push_back(Ctx::submission_id(ds_, prov_, ms, false));
        if (ctx_.has_resub(ds_, prov_, ms) && rng_.chance(0.3)) v.push_back(Ctx::submission_id(ds_, prov_, ms, true));
    }
    /// True when a record opened on `open` and closed on `close` is sent again at closure,
    /// i.e. the two days fall in different submission months.
    bool later_month(Day open, Day close) const {
        return close != kMissing && std::max(month_serial(close), ctx_.first_ms) > std::max(month_serial(open), ctx_.first_ms);
    }
    void one(std::vector<std::uint64_t>& v, Day d) {
        v.clear();
        add(v, d);
    }

private:
    const Ctx& ctx_;
    Dataset ds_;
    int prov_;
    Rng& rng_;
};

/// Whole years between two dates (age at a date).
inline int age_at(Day birth, Day d) {
    const Civil b = civil_from_days(birth), c = civil_from_days(d);
    int a = c.year - b.year;
    if (c.month < b.month || (c.month == b.month && c.day < b.day)) --a;
    return a;
}

/// truth.json's true_values: the Fig. 3 means and published rates the generator plants.
nlohmann::ordered_json true_values_json(const Ctx& ctx);

void generate_iapt_unit(const Ctx& ctx, const Unit& u, UnitOut& out);
void generate_mhsds_unit(const Ctx& ctx, const Unit& u, UnitOut& out);

}  // namespace mhbench::synth
