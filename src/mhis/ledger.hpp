#pragma once
// Mental Health Investment Standard (SPEC section 7, seed 003): the rules, free of MPI, HDF5 and
// threads. Validating the spend ledger, classing each amount as MHIS (core), non-core, outside
// the MHIS or excluded by its funding source, and the spend-to-activity links for unit costs.
// Categories, funding sources and links come from reference data (mhis_*.csv).
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mhbench::mhis {

enum class MhisClass : std::uint8_t { Core, NonCore, Outside };
enum class Exclusion : std::uint8_t { None, Development, Covid };

struct Category {
    std::string code, name;
    MhisClass mhis_class = MhisClass::Core;
};
struct FundingSource {
    std::string name;
    Exclusion exclusion = Exclusion::None;
};
struct ActivityLink {
    std::string category, activity, unit;
};

/// mhis_categories.csv, mhis_funding_sources.csv, mhis_activity.csv, mhis_parameters.csv.
struct MhisReference {
    std::vector<Category> categories;  ///< in reporting order (seed 003's order)
    std::vector<FundingSource> sources;
    std::vector<ActivityLink> links;
    std::set<std::string> eip_team_types;

    static MhisReference parse(const std::map<std::string, std::string>& files);
    int category_index(std::string_view code) const;  ///< case-insensitive after trimming; -1 when unknown
    int source_index(std::string_view name) const;    ///< the same; -1 when unknown
};

std::string_view class_name(MhisClass c);    ///< "core", "non_core", "outside"
std::string_view exclusion_name(Exclusion e);  ///< "none", "development", "covid"

/// The ledger as text (the store's side input mhis_ledger): header and rows; rows[i] is line i + 2.
struct LedgerText {
    std::string file;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
};

/// One validated ledger row; amounts in pence so every sum is exact.
struct LedgerRow {
    std::string icb;
    int start_year = 0;
    int category = 0, source = 0;  ///< indexes into the reference
    std::int64_t pence = 0;
    std::int64_t line = 0;
};

/// "1234", "1234.5", "1234.56" pounds → pence; nullopt-like -1 for anything else (signs, letters,
/// more than two decimals, empty, too large). Negative amounts are reported apart by the caller.
std::int64_t parse_pence(std::string_view text);

/// Validates every row: columns icb_code, financial_year, category, funding_source, amount
/// (others ignored); an unknown ICB (not in `icbs`), a financial year not like 2023-24, an unknown
/// category or funding source, a negative or non-numeric amount is an InputError naming the file,
/// table mhis_ledger, line and field. Rows of every year are returned.
std::vector<LedgerRow> parse_ledger(const LedgerText& ledger, const std::set<std::string>& icbs,
                                    const MhisReference& ref);

/// Where an amount goes. A funding-source exclusion comes first (that money is not category spend
/// at all), then the category's class; the buckets add up to the ledger total.
enum class Bucket : std::uint8_t { Mhis, NonCore, Outside, ExcludedDevelopment, ExcludedCovid };
Bucket bucket_of(const LedgerRow& row, const MhisReference& ref);

/// Totals of one organisation and year, in pence.
struct Totals {
    std::int64_t mhis = 0, non_core = 0, outside = 0, excluded_development = 0, excluded_covid = 0, rows = 0;
    std::int64_t ledger() const { return mhis + non_core + outside + excluded_development + excluded_covid; }
    void add(const LedgerRow& row, const MhisReference& ref);
};

}  // namespace mhbench::mhis
