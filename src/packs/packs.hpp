#pragma once
// Provider and ICB benchmark packs (SPEC sections 9 and 11): self-contained HTML pages built
// from the other jobs' published, disclosure-controlled results tables, never from records.
// Pure: no MPI and no HDF5 (the job reads results.h5 and hands the tables over).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "packs/funnel_chart.hpp"
#include "report/table.hpp"
#include "stats/suppression.hpp"

namespace mhbench::packs {

/// Read-only access by column name to the rows of a results table.
class TableView {
public:
    explicit TableView(const report::Table& t);
    std::size_t rows() const { return rows_; }
    bool has(const std::string& column) const { return index_.contains(column); }
    const report::Column* column(const std::string& name) const;
    /// "" when the column is absent or the cell missing.
    std::string text(std::size_t row, const std::string& column) const;
    /// Int or Real cell; nullopt when absent, missing or NaN.
    std::optional<double> number(std::size_t row, const std::string& column) const;
    const report::Table& table() const { return *t_; }

private:
    const report::Table* t_;
    std::size_t rows_;
    std::map<std::string, std::size_t> index_;
};

/// The results of the other jobs, by job folder name ("tt-averages", "activity", "dq", ...).
struct Results {
    std::map<std::string, std::vector<report::Table>> jobs;
    const report::Table* find(const std::string& job, const std::string& table_name) const;
};

/// A provider or ICB with the organisations above it (names may be empty).
struct Organisation {
    std::string code, name, level;  ///< level "provider" or "icb"
    std::string icb_code, icb_name, region_code, region_name;
};

struct PackOptions {
    std::string year;  ///< financial year of the packs, e.g. "2023-24"
    std::string fallback_descriptor;  ///< label of the descriptor of invalid or missing complaints (reference data)
    stats::DisclosureRules rules;
};

/// What a run of the packs produces: files under packs/ (relative name → content), the tables of
/// funnel positions and over-dispersion (results.h5 and CSV), and lines for the log.
struct PackOutputs {
    std::vector<std::pair<std::string, std::string>> files;
    std::vector<report::Table> tables;
    std::vector<std::string> notes;
};

/// Every provider and ICB pack and the index. `organisations` lists the providers and ICBs (with
/// their ICB and region) known to the organisation lookup; organisations in the results but not
/// in it still get a pack. Throws ConfigError when the tt-averages results are absent.
PackOutputs build_packs(const Results& results, const std::vector<Organisation>& organisations, const PackOptions& o);

/// Real-data mode: the reliable recovery funnel of the providers in NHS England's published key
/// measures (the `nhstt_key_measures_*.csv` layout: org_type, breakdown, breakdown_group,
/// finished_course_treatment, not_at_caseness, reliable_recovery ...) for one financial year.
/// `source_name` names the file in the page (no machine path). Throws ConfigError naming the file,
/// row and field on malformed input.
PackOutputs build_published_funnel(const std::string& csv_text, const std::string& source_name, const std::string& year);

/// Parses RFC 4180 CSV text (quoted fields, "" escapes, lines starting with '#' skipped) into rows.
std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& source_name);

}  // namespace mhbench::packs
