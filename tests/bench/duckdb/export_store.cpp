// Benchmark helper (not part of mhbench or its tests): writes the Talking Therapies rows of an
// mhbench store as CSV files for DuckDB, so both engines compute over exactly the same rows
// (after ingest's de-duplication and quarantine). Deliberately independent of mhbench's code:
// it uses the HDF5 C API and the layout of docs/store-format.md only.
//
//   export_store STORE.h5 OUTDIR
//
// Writes, with codes as their dictionary text and dates as days since 1970-01-01:
//   referral.csv   rid, provider, disch
//   contact.csv    cid, rid, app_type, attend
//   activity.csv   cid, code
//   complaint.csv  rid, code, codsig, cdate
//   score606.csv / score607.csv   rid, tool, score (hundredths), sdate
//   org.csv        provider, icb, region (providers absent from the lookup: UNKNOWN)
// rid and cid are row numbers of IDS101 and IDS201 in the store: surrogate join keys.
#include <hdf5.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

template <class T> hid_t type_of() {
    if constexpr (sizeof(T) == 2) return H5T_NATIVE_UINT16;
    else if constexpr (sizeof(T) == 4) return H5T_NATIVE_INT32;
    else return H5T_NATIVE_INT64;
}

template <class T> std::vector<T> column(hid_t f, const std::string& path) {
    hid_t d = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
    if (d < 0) fail("cannot open " + path);
    hid_t sp = H5Dget_space(d);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp, &n, nullptr);
    std::vector<T> v(n);
    if (n && H5Dread(d, type_of<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0) fail("cannot read " + path);
    H5Sclose(sp);
    H5Dclose(d);
    return v;
}

std::vector<std::string> strings(hid_t f, const std::string& path) {
    hid_t d = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
    if (d < 0) fail("cannot open " + path);
    hid_t sp = H5Dget_space(d);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp, &n, nullptr);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    std::vector<char*> raw(n, nullptr);
    if (n && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0) fail("cannot read " + path);
    std::vector<std::string> out;
    for (char* s : raw) out.emplace_back(s ? s : "");
    if (n) H5Dvlen_reclaim(t, sp, H5P_DEFAULT, raw.data());
    H5Tclose(t);
    H5Sclose(sp);
    H5Dclose(d);
    return out;
}

// A CSV text field, always quoted (codes may hold spaces, commas or quotes); missing = empty.
std::string quoted(const std::string& s) {
    if (s.empty()) return "";
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string number(std::int32_t v) { return v == INT32_MIN ? std::string() : std::to_string(v); }

struct Out {
    FILE* f;
    Out(const std::string& path, const char* header) : f(std::fopen(path.c_str(), "w")) {
        if (!f) fail("cannot write " + path);
        std::fputs(header, f);
        std::fputc('\n', f);
    }
    ~Out() { std::fclose(f); }
};

// Parent row of every child row, from the parent's CSR children index.
std::vector<std::int64_t> parent_of(const std::vector<std::int64_t>& children) {
    std::vector<std::int64_t> p(children.empty() ? 0 : static_cast<std::size_t>(children.back()));
    for (std::size_t r = 0; r + 1 < children.size(); ++r)
        for (auto c = children[r]; c < children[r + 1]; ++c) p[static_cast<std::size_t>(c)] = static_cast<std::int64_t>(r);
    return p;
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc != 3) fail("usage: export_store STORE.h5 OUTDIR");
    const std::string out = argv[2];
    hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) fail(std::string("cannot open ") + argv[1]);
    const std::string R = "/iapt/IDS101Referral", C = "/iapt/IDS201CareContact", A = "/iapt/IDS202CareActivity",
                      P = "/iapt/IDS603PresentingComplaints";

    const auto providers = strings(f, "/iapt/providers");
    {
        auto code = strings(f, "/org/org_code"), icb = strings(f, "/org/icb_code"), reg = strings(f, "/org/region_code");
        std::map<std::string, std::size_t> at;
        for (std::size_t i = 0; i < code.size(); ++i) at[code[i]] = i;
        Out o(out + "/org.csv", "provider,icb,region");
        for (const auto& p : providers) {
            auto it = at.find(p);
            const std::string i = it == at.end() ? "UNKNOWN" : icb[it->second], r = it == at.end() ? "UNKNOWN" : reg[it->second];
            std::fprintf(o.f, "%s,%s,%s\n", quoted(p).c_str(), quoted(i).c_str(), quoted(r).c_str());
        }
    }
    {
        auto off = column<std::int64_t>(f, R + "/provider_offsets");
        auto disch = column<std::int32_t>(f, R + "/ServDischDate");
        Out o(out + "/referral.csv", "rid,provider,disch");
        for (std::size_t p = 0; p + 1 < off.size(); ++p)
            for (auto r = off[p]; r < off[p + 1]; ++r)
                std::fprintf(o.f, "%lld,%s,%s\n", static_cast<long long>(r), quoted(providers[p]).c_str(),
                             number(disch[static_cast<std::size_t>(r)]).c_str());
    }
    {
        auto rid = parent_of(column<std::int64_t>(f, R + "/children/IDS201CareContact"));
        auto app = column<std::uint16_t>(f, C + "/AppType"), att = column<std::uint16_t>(f, C + "/AttendOrDNACode");
        auto app_d = strings(f, C + "/dict/AppType"), att_d = strings(f, C + "/dict/AttendOrDNACode");
        Out o(out + "/contact.csv", "cid,rid,app_type,attend");
        for (std::size_t i = 0; i < rid.size(); ++i)
            std::fprintf(o.f, "%zu,%lld,%s,%s\n", i, static_cast<long long>(rid[i]), quoted(app_d[app[i]]).c_str(),
                         quoted(att_d[att[i]]).c_str());
    }
    {
        auto cid = parent_of(column<std::int64_t>(f, C + "/children/IDS202CareActivity"));
        auto code = column<std::uint16_t>(f, A + "/CodeProcAndProcStatus");
        auto dict = strings(f, A + "/dict/CodeProcAndProcStatus");
        Out o(out + "/activity.csv", "cid,code");
        for (std::size_t i = 0; i < cid.size(); ++i)
            std::fprintf(o.f, "%lld,%s\n", static_cast<long long>(cid[i]), quoted(dict[code[i]]).c_str());
    }
    {
        auto rid = parent_of(column<std::int64_t>(f, R + "/children/IDS603PresentingComplaints"));
        auto code = column<std::uint16_t>(f, P + "/PresComp"), sig = column<std::uint16_t>(f, P + "/PresCompCodSig");
        auto date = column<std::int32_t>(f, P + "/PresCompDate");
        auto code_d = strings(f, P + "/dict/PresComp"), sig_d = strings(f, P + "/dict/PresCompCodSig");
        Out o(out + "/complaint.csv", "rid,code,codsig,cdate");
        for (std::size_t i = 0; i < rid.size(); ++i)
            std::fprintf(o.f, "%lld,%s,%s,%s\n", static_cast<long long>(rid[i]), quoted(code_d[code[i]]).c_str(),
                         quoted(sig_d[sig[i]]).c_str(), number(date[i]).c_str());
    }
    for (const char* t : {"IDS606CodedScoreAssessmentRefer", "IDS607CodedScoreAssessmentAct"}) {
        const std::string S = std::string("/iapt/") + t;
        auto rid = parent_of(column<std::int64_t>(f, R + "/children/" + t));
        auto tool = column<std::uint16_t>(f, S + "/CodedAssToolType");
        auto score = column<std::int32_t>(f, S + "/PersScore"), date = column<std::int32_t>(f, S + "/AssToolCompDate");
        auto dict = strings(f, S + "/dict/CodedAssToolType");
        Out o(out + "/score" + std::string(t).substr(3, 3) + ".csv", "rid,tool,score,sdate");
        for (std::size_t i = 0; i < rid.size(); ++i)
            std::fprintf(o.f, "%lld,%s,%s,%s\n", static_cast<long long>(rid[i]), quoted(dict[tool[i]]).c_str(),
                         number(score[i]).c_str(), number(date[i]).c_str());
    }
    H5Fclose(f);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "export_store: %s\n", e.what());
    return 1;
}
