#include "model/schema.hpp"

#include <algorithm>

#include "model/errors.hpp"

namespace mhbench {

std::string_view dataset_name(Dataset d) { return d == Dataset::Iapt ? "iapt" : "mhsds"; }

std::string_view column_kind_name(ColumnKind k) {
    switch (k) {
        case ColumnKind::Id: return "id";
        case ColumnKind::Code: return "code";
        case ColumnKind::Date: return "date";
        case ColumnKind::Int: return "int";
        case ColumnKind::Score: return "score";
    }
    return "?";
}

namespace {

using K = ColumnKind;
constexpr auto I = Dataset::Iapt;
constexpr auto M = Dataset::Mhsds;

// Every table carries the id of the submission that delivered it (real extracts do), so
// the latest submission can win and a row's provider is known from its header.
std::vector<TableSpec> make_tables() {
    const std::string is = "UniqueSubmissionID", ms = "UniqSubmissionID";
    std::vector<TableSpec> t = {
        // ---- NHS Talking Therapies (IAPT v2.1), keyed by PathwayID
        {I, "IDS000Header",
         {{is, K::Id}, {"OrgID_Provider", K::Code}, {"ReportingPeriodStartDate", K::Date}, {"ReportingPeriodEndDate", K::Date}},
         is, "OrgID_Provider", {is}, "", {}, "", true},
        {I, "IDS001MPI",
         {{is, K::Id}, {"Person_ID", K::Id}, {"OrgID_Provider", K::Code}, {"PersonBirthDate", K::Date},
          {"Gender", K::Code}, {"EthnicCategory", K::Code}, {"LSOA", K::Code}},
         is, "OrgID_Provider", {"Person_ID"}, "", {}, ""},
        {I, "IDS101Referral",
         {{is, K::Id}, {"PathwayID", K::Id}, {"Person_ID", K::Id}, {"OrgID_Provider", K::Code}, {"OrgIDComm", K::Code},
          {"ReferralRequestReceivedDate", K::Date}, {"ServDischDate", K::Date}, {"EndCode", K::Code},
          {"SourceOfReferralIAPT", K::Code}, {"Age_ReferralRequest_ReceivedDate", K::Int}},
         is, "OrgID_Provider", {"PathwayID"}, "", {}, ""},
        {I, "IDS004EmpStatus",
         {{is, K::Id}, {"PathwayID", K::Id}, {"EmployStatus", K::Code}, {"EmployStatusRecDate", K::Date}},
         is, "", {"PathwayID", "EmployStatusRecDate"}, "IDS101Referral", {"PathwayID"}, "EmployStatusRecDate"},
        {I, "IDS201CareContact",
         {{is, K::Id}, {"PathwayID", K::Id}, {"CareContactId", K::Id}, {"CareContDate", K::Date}, {"AppType", K::Code},
          {"AttendOrDNACode", K::Code}, {"ConsMechanism", K::Code}},
         is, "", {"PathwayID", "CareContactId"}, "IDS101Referral", {"PathwayID"}, "CareContDate"},
        {I, "IDS202CareActivity",
         {{is, K::Id}, {"PathwayID", K::Id}, {"CareContactId", K::Id}, {"CodeProcAndProcStatus", K::Code}},
         is, "", {"PathwayID", "CareContactId", "CodeProcAndProcStatus"}, "IDS201CareContact",
         {"PathwayID", "CareContactId"}, ""},
        {I, "IDS603PresentingComplaints",
         {{is, K::Id}, {"PathwayID", K::Id}, {"PresComp", K::Code}, {"PresCompCodSig", K::Code}, {"PresCompDate", K::Date}},
         is, "", {"PathwayID", "PresComp", "PresCompCodSig", "PresCompDate"}, "IDS101Referral", {"PathwayID"},
         "PresCompDate"},
        {I, "IDS606CodedScoreAssessmentRefer",
         {{is, K::Id}, {"PathwayID", K::Id}, {"CodedAssToolType", K::Code}, {"PersScore", K::Score},
          {"AssToolCompDate", K::Date}},
         is, "", {"PathwayID", "CodedAssToolType", "AssToolCompDate"}, "IDS101Referral", {"PathwayID"},
         "AssToolCompDate"},
        {I, "IDS607CodedScoreAssessmentAct",
         {{is, K::Id}, {"PathwayID", K::Id}, {"CodedAssToolType", K::Code}, {"PersScore", K::Score},
          {"AssToolCompDate", K::Date}},
         is, "", {"PathwayID", "CodedAssToolType", "AssToolCompDate"}, "IDS101Referral", {"PathwayID"},
         "AssToolCompDate"},

        // ---- Mental Health Services Data Set (MHSDS v6), keyed by UniqServReqID
        {M, "MHS000Header",
         {{ms, K::Id}, {"OrgIDProvider", K::Code}, {"ReportingPeriodStartDate", K::Date}, {"ReportingPeriodEndDate", K::Date}},
         ms, "OrgIDProvider", {ms}, "", {}, "", true},
        {M, "MHS001MPI",
         {{ms, K::Id}, {"Person_ID", K::Id}, {"OrgIDProv", K::Code}, {"PersonBirthDate", K::Date},
          {"EthnicCategory", K::Code}, {"Gender", K::Code}, {"LSOA2011", K::Code}, {"OrgIDSubICBLocResidence", K::Code}},
         ms, "OrgIDProv", {"Person_ID"}, "", {}, ""},
        {M, "MHS003AccommStatus",
         {{ms, K::Id}, {"Person_ID", K::Id}, {"AccommodationType", K::Code}, {"AccommodationTypeDate", K::Date}},
         ms, "", {"Person_ID", "AccommodationTypeDate"}, "MHS001MPI", {"Person_ID"}, "AccommodationTypeDate"},
        {M, "MHS004EmpStatus",
         {{ms, K::Id}, {"Person_ID", K::Id}, {"EmployStatus", K::Code}, {"EmployStatusRecDate", K::Date}},
         ms, "", {"Person_ID", "EmployStatusRecDate"}, "MHS001MPI", {"Person_ID"}, "EmployStatusRecDate"},
        {M, "MHS005PatInd",
         {{ms, K::Id}, {"Person_ID", K::Id}, {"LDStatus", K::Code}, {"AutismStatus", K::Code}},
         ms, "", {"Person_ID"}, "MHS001MPI", {"Person_ID"}, ""},
        {M, "MHS101Referral",
         {{ms, K::Id}, {"UniqServReqID", K::Id}, {"Person_ID", K::Id}, {"OrgIDProv", K::Code},
          {"ReferralRequestReceivedDate", K::Date}, {"ServDischDate", K::Date}, {"PrimReasonReferralMH", K::Code},
          {"ClinRespPriorityType", K::Code}, {"SourceOfReferralMH", K::Code}, {"AgeServReferRecDate", K::Int}},
         ms, "OrgIDProv", {"UniqServReqID"}, "", {}, ""},
        {M, "MHS102ServiceTypeReferredTo",
         {{ms, K::Id}, {"UniqServReqID", K::Id}, {"ServTeamTypeRefToMH", K::Code}, {"UniqCareProfTeamID", K::Id},
          {"ReferClosureDate", K::Date}},
         ms, "", {"UniqServReqID", "UniqCareProfTeamID"}, "MHS101Referral", {"UniqServReqID"}, ""},
        {M, "MHS201CareContact",
         {{ms, K::Id}, {"UniqCareContID", K::Id}, {"UniqServReqID", K::Id}, {"CareContDate", K::Date},
          {"AttendOrDNACode", K::Code}, {"ConsMechanismMH", K::Code}, {"UniqCareProfTeamID", K::Id}},
         ms, "", {"UniqCareContID"}, "MHS101Referral", {"UniqServReqID"}, "CareContDate"},
        {M, "MHS202CareActivity",
         {{ms, K::Id}, {"UniqCareContID", K::Id}, {"Procedure", K::Code}},
         ms, "", {"UniqCareContID", "Procedure"}, "MHS201CareContact", {"UniqCareContID"}, ""},
        {M, "MHS501HospProvSpell",
         {{ms, K::Id}, {"UniqHospProvSpellID", K::Id}, {"UniqServReqID", K::Id}, {"StartDateHospProvSpell", K::Date},
          {"DischDateHospProvSpell", K::Date}},
         ms, "", {"UniqHospProvSpellID"}, "MHS101Referral", {"UniqServReqID"}, "StartDateHospProvSpell"},
        {M, "MHS603ProvDiag",
         {{ms, K::Id}, {"UniqServReqID", K::Id}, {"ProvDiag", K::Code}, {"ProvDiagDate", K::Date}},
         ms, "", {"UniqServReqID", "ProvDiag", "ProvDiagDate"}, "MHS101Referral", {"UniqServReqID"}, "ProvDiagDate"},
        {M, "MHS604PrimDiag",
         {{ms, K::Id}, {"UniqServReqID", K::Id}, {"PrimDiag", K::Code}, {"PrimDiagDate", K::Date}},
         ms, "", {"UniqServReqID", "PrimDiag", "PrimDiagDate"}, "MHS101Referral", {"UniqServReqID"}, "PrimDiagDate"},
        {M, "MHS606CodedScoreAssessmentRefer",
         {{ms, K::Id}, {"UniqServReqID", K::Id}, {"CodedAssToolType", K::Code}, {"PersScore", K::Score},
          {"AssToolCompDate", K::Date}},
         ms, "", {"UniqServReqID", "CodedAssToolType", "AssToolCompDate"}, "MHS101Referral", {"UniqServReqID"},
         "AssToolCompDate"},
        {M, "MHS609PresComp",
         {{ms, K::Id}, {"UniqServReqID", K::Id}, {"PresComp", K::Code}, {"PresCompDate", K::Date}},
         ms, "", {"UniqServReqID", "PresComp", "PresCompDate"}, "MHS101Referral", {"UniqServReqID"}, "PresCompDate"},
        {M, "MHS801ClusterTool",
         {{ms, K::Id}, {"UniqServReqID", K::Id}, {"AssToolCompDate", K::Date}},
         ms, "", {"UniqServReqID", "AssToolCompDate"}, "MHS101Referral", {"UniqServReqID"}, "AssToolCompDate"},
        {M, "MHS803CareCluster",
         {{ms, K::Id}, {"UniqServReqID", K::Id}, {"AMHCareClustCodeFin", K::Code}, {"StartDateCareClust", K::Date},
          {"EndDateCareClust", K::Date}},
         ms, "", {"UniqServReqID", "StartDateCareClust"}, "MHS101Referral", {"UniqServReqID"}, "StartDateCareClust"},
    };
    return t;
}

const std::vector<TableSpec>& tables() {
    static const std::vector<TableSpec> t = make_tables();
    return t;
}

}  // namespace

int TableSpec::column_index(std::string_view c) const {
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i].name == c) return static_cast<int>(i);
    return -1;
}

const ColumnSpec& TableSpec::column(std::string_view c) const {
    int i = column_index(c);
    if (i < 0) throw ConfigError("table " + name + " has no column " + std::string(c));
    return columns[static_cast<std::size_t>(i)];
}

bool TableSpec::is_key(std::string_view c) const { return std::find(key.begin(), key.end(), c) != key.end(); }

std::span<const TableSpec> all_tables() { return tables(); }

const TableSpec& table_spec(std::string_view name) {
    for (const auto& t : tables())
        if (t.name == name) return t;
    throw ConfigError("unknown table " + std::string(name));
}

std::vector<const TableSpec*> tables_of(Dataset d) {
    std::vector<const TableSpec*> out;
    for (const auto& t : tables())
        if (t.dataset == d) out.push_back(&t);
    return out;
}

const TableSpec& referral_table(Dataset d) { return table_spec(d == Dataset::Iapt ? "IDS101Referral" : "MHS101Referral"); }
const TableSpec& header_table(Dataset d) { return table_spec(d == Dataset::Iapt ? "IDS000Header" : "MHS000Header"); }

}  // namespace mhbench
