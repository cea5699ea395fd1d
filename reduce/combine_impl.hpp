#pragma once
// Implementation of reduce/combine.hpp; included at its end, not on its own.
//
// MPI protocol. Each call works on a private duplicate of the caller's communicator, so its
// messages cannot meet the caller's and its error handler (MPI_ERRORS_RETURN, every return code
// checked and thrown as mhbench::MpiError) does not change the caller's. A value travels as a
// uint64 header (its byte count) and then the bytes in pieces below INT_MAX, so archives of any
// size pass through the int counts of MPI-3. A header with the top bit set carries an error
// text instead: a rank whose merge or decoding fails keeps to the protocol and passes the error
// up the tree, so the root (or, in allreduce, every rank) throws instead of some rank waiting
// forever. An MPI call that itself fails throws at once; the caller's top level should then
// MPI_Abort, as for any run-ending error.
#include <boost/archive/archive_exception.hpp>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <exception>
#include <optional>
#include <streambuf>
#include <string>
#include <utility>

#include "model/errors.hpp"
#include "reduce/serialize_std.hpp"

namespace mhbench::reduce {

namespace detail {

// ---- archives over byte vectors ---------------------------------------------------------

/// Output stream buffer appending to a byte vector (no copy through a stringstream).
class ByteSink : public std::streambuf {
public:
    explicit ByteSink(std::vector<std::byte>& out) : out_(out) {}

protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        const auto* p = reinterpret_cast<const std::byte*>(s);
        out_.insert(out_.end(), p, p + n);
        return n;
    }
    int_type overflow(int_type c) override {
        if (!traits_type::eq_int_type(c, traits_type::eof()))
            out_.push_back(static_cast<std::byte>(traits_type::to_char_type(c)));
        return traits_type::not_eof(c);
    }

private:
    std::vector<std::byte>& out_;
};

/// Input stream buffer reading a byte span in place; never written through.
class ByteSource : public std::streambuf {
public:
    explicit ByteSource(std::span<const std::byte> in) {
        char* p = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
        setg(p, p, p + in.size());
    }
    std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

// ---- MPI plumbing ----------------------------------------------------------------------

inline constexpr int kTag = 0x4d48;
inline constexpr std::uint64_t kErrorBit = std::uint64_t{1} << 63;

/// Largest piece sent or broadcast at once. Below INT_MAX; tests lower it to exercise the
/// splitting. Must be the same on every rank during a call (broadcast pieces must match).
inline std::size_t chunk_bytes = std::size_t{1} << 30;

[[noreturn]] inline void throw_mpi(int rc, const char* call) {
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
    throw MpiError(std::string(call) + " failed: " +
                   (len > 0 ? std::string(text, static_cast<std::size_t>(len)) : "error " + std::to_string(rc)));
}

inline void check(int rc, const char* call) {
    if (rc != MPI_SUCCESS) throw_mpi(rc, call);
}

inline std::size_t piece(std::size_t remaining) {
    return std::min({remaining, std::max<std::size_t>(chunk_bytes, 1), std::size_t{INT_MAX}});
}

/// A private duplicate of the caller's communicator with MPI_ERRORS_RETURN.
class PrivateComm {
public:
    explicit PrivateComm(MPI_Comm parent) {
        // Return codes from MPI_Comm_dup as well: switch the parent's handler for the call only.
        MPI_Errhandler old = MPI_ERRHANDLER_NULL;
        check(MPI_Comm_get_errhandler(parent, &old), "MPI_Comm_get_errhandler");
        check(MPI_Comm_set_errhandler(parent, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
        const int rc = MPI_Comm_dup(parent, &comm_);
        MPI_Comm_set_errhandler(parent, old);
        MPI_Errhandler_free(&old);
        check(rc, "MPI_Comm_dup");
        check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
        check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
        check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
    }
    ~PrivateComm() {
        if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
    }
    PrivateComm(const PrivateComm&) = delete;
    PrivateComm& operator=(const PrivateComm&) = delete;
    MPI_Comm get() const { return comm_; }
    int rank() const { return rank_; }
    int size() const { return size_; }

private:
    MPI_Comm comm_ = MPI_COMM_NULL;
    int rank_ = 0, size_ = 1;
};

/// Bytes, or an error text from some rank.
struct Message {
    bool error = false;
    std::vector<std::byte> bytes;
    std::string text() const { return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()); }
};

inline void send_message(const PrivateComm& c, int dest, bool error, std::span<const std::byte> bytes) {
    const std::uint64_t header = static_cast<std::uint64_t>(bytes.size()) | (error ? kErrorBit : 0);
    check(MPI_Send(&header, 1, MPI_UINT64_T, dest, kTag, c.get()), "MPI_Send");
    for (std::size_t off = 0; off < bytes.size();) {
        const std::size_t n = piece(bytes.size() - off);
        check(MPI_Send(bytes.data() + off, static_cast<int>(n), MPI_BYTE, dest, kTag, c.get()), "MPI_Send");
        off += n;
    }
}

inline Message recv_message(const PrivateComm& c, int source) {
    std::uint64_t header = 0;
    check(MPI_Recv(&header, 1, MPI_UINT64_T, source, kTag, c.get(), MPI_STATUS_IGNORE), "MPI_Recv");
    Message m;
    m.error = (header & kErrorBit) != 0;
    m.bytes.resize(static_cast<std::size_t>(header & ~kErrorBit));
    // Pieces from one source on one tag arrive in order; their sizes are read from the status,
    // so the sender's piece size need not be known here.
    for (std::size_t off = 0; off < m.bytes.size();) {
        const int want = static_cast<int>(std::min<std::size_t>(m.bytes.size() - off, INT_MAX));
        MPI_Status st;
        check(MPI_Recv(m.bytes.data() + off, want, MPI_BYTE, source, kTag, c.get(), &st), "MPI_Recv");
        int got = 0;
        check(MPI_Get_count(&st, MPI_BYTE, &got), "MPI_Get_count");
        if (got <= 0) throw MpiError("MPI_Recv: empty piece inside a message");
        off += static_cast<std::size_t>(got);
    }
    return m;
}

/// Broadcast of a message from root; the same pieces on every rank.
inline Message bcast_message(const PrivateComm& c, int root, Message m) {
    std::uint64_t header = static_cast<std::uint64_t>(m.bytes.size()) | (m.error ? kErrorBit : 0);
    check(MPI_Bcast(&header, 1, MPI_UINT64_T, root, c.get()), "MPI_Bcast");
    m.error = (header & kErrorBit) != 0;
    m.bytes.resize(static_cast<std::size_t>(header & ~kErrorBit));
    for (std::size_t off = 0; off < m.bytes.size();) {
        const std::size_t n = piece(m.bytes.size() - off);
        check(MPI_Bcast(m.bytes.data() + off, static_cast<int>(n), MPI_BYTE, root, c.get()), "MPI_Bcast");
        off += n;
    }
    return m;
}

inline std::span<const std::byte> as_bytes(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

/// Result of the tree on one rank: the merged value (root only) and the first error seen in
/// this rank's subtree.
template <class T> struct TreeResult {
    std::optional<T> value;
    std::string error;
};

template <class T> TreeResult<T> tree_reduce(const PrivateComm& c, T local, int root, std::int64_t* sent) {
    const int size = c.size(), rank = c.rank();
    const int rel = (rank - root + size) % size;  // position in a tree rooted at 0
    TreeResult<T> out;
    out.value.emplace(std::move(local));
    auto fail = [&](const std::exception& e) {
        if (out.error.empty()) out.error = "rank " + std::to_string(rank) + ": " + e.what();
    };
    // Binomial tree: in round k a rank with bit k set sends to rel - 2^k and leaves; the others
    // receive from rel + 2^k if it exists. log2(size) rounds.
    for (int mask = 1; mask < size; mask <<= 1) {
        if (rel & mask) {
            const int parent = (rel - mask + root) % size;
            std::vector<std::byte> bytes;
            if (out.error.empty()) {
                try {
                    bytes = to_bytes(*out.value);
                } catch (const std::exception& e) {
                    fail(e);
                }
            }
            out.value.reset();
            if (out.error.empty()) {
                if (sent) *sent += static_cast<std::int64_t>(bytes.size());
                send_message(c, parent, false, bytes);
            }
            else
                send_message(c, parent, true, as_bytes(out.error));
            return out;
        }
        if (rel + mask < size) {
            const int child = (rel + mask + root) % size;
            Message m = recv_message(c, child);
            if (m.error) {
                if (out.error.empty()) out.error = m.text();
            } else if (out.error.empty()) {
                try {
                    out.value->merge(from_bytes<T>(m.bytes));
                } catch (const std::exception& e) {
                    fail(e);
                }
            }
        }
    }
    return out;
}

inline void check_root(const PrivateComm& c, int root) {
    if (root < 0 || root >= c.size())
        throw MpiError("reduce_to_root: root " + std::to_string(root) + " is not a rank of a communicator of size " +
                       std::to_string(c.size()));
}

}  // namespace detail

// ---- serialization ------------------------------------------------------------------------

template <class T> std::vector<std::byte> to_bytes(const T& value) {
    std::vector<std::byte> out;
    {
        detail::ByteSink sink(out);
        boost::archive::binary_oarchive ar(sink);
        ar << value;
    }
    return out;
}

template <class T> T from_bytes(std::span<const std::byte> bytes) {
    T value{};
    try {
        detail::ByteSource source(bytes);
        boost::archive::binary_iarchive ar(source);
        ar >> value;
        if (source.remaining() != 0)
            throw Error("from_bytes: " + std::to_string(source.remaining()) +
                        " bytes left over (archive of another type?)");
    } catch (const boost::archive::archive_exception& e) {
        throw Error(std::string("from_bytes: cannot decode archive: ") + e.what());
    }
    return value;
}

// ---- threads ----------------------------------------------------------------------------

template <class Acc, class Body> Acc parallel_fold(std::size_t n, Body body, std::size_t grain) {
    tbb::enumerable_thread_specific<Acc> locals;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, std::max<std::size_t>(grain, 1)),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                          Acc& acc = locals.local();
                          for (std::size_t i = r.begin(); i != r.end(); ++i) body(acc, i);
                      });
    // Which thread folded what varies from run to run; exact merges make that invisible.
    Acc result{};
    bool first = true;
    for (Acc& local : locals) {
        if (first) {
            result = std::move(local);
            first = false;
        } else {
            result.merge(local);
        }
    }
    return result;
}

// ---- ranks ------------------------------------------------------------------------------

template <class T> T reduce_to_root(T local, MPI_Comm comm, int root, std::int64_t* sent) {
    detail::PrivateComm c(comm);
    detail::check_root(c, root);
    auto r = detail::tree_reduce(c, std::move(local), root, sent);
    if (!r.error.empty()) throw Error("reduce_to_root: " + r.error);
    return c.rank() == root ? std::move(*r.value) : T{};
}

template <class T> T allreduce(T local, MPI_Comm comm, std::int64_t* sent) {
    detail::PrivateComm c(comm);
    auto r = detail::tree_reduce(c, std::move(local), 0, sent);
    detail::Message m;
    if (c.rank() == 0) {
        if (r.error.empty()) {
            try {
                m.bytes = to_bytes(*r.value);
            } catch (const std::exception& e) {
                r.error = std::string("rank 0: ") + e.what();
            }
        }
        if (!r.error.empty()) {
            m.error = true;
            auto t = detail::as_bytes(r.error);
            m.bytes.assign(t.begin(), t.end());
        }
    }
    if (sent && c.rank() == 0 && !m.error) *sent += static_cast<std::int64_t>(m.bytes.size()) * (c.size() - 1);
    m = detail::bcast_message(c, 0, std::move(m));
    if (m.error) throw Error("allreduce: " + m.text());
    if (c.rank() == 0) return std::move(*r.value);
    return from_bytes<T>(m.bytes);
}

}  // namespace mhbench::reduce
