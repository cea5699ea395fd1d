#!/usr/bin/env bash
# Ranks on two hosts: two network namespaces joined by a veth pair stand for two nodes (own
# addresses, own hostnames), Open MPI starts its daemon on the second through a launch agent
# that enters that namespace (the role ssh plays on a cluster), and ranks talk over TCP only
# (btl tcp,self: no shared memory). Ingest and the activity job run across both hosts; the
# store and results must equal a one-host run's. Arguments: the mhbench binary and a scratch dir.
set -euo pipefail
bin=$(readlink -f "$1")
work=$2
rm -rf "$work" && mkdir -p "$work"
work=$(cd "$work" && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 MHBENCH_PROGRESS=quiet

skip() { echo "skip: $*"; exit 77; }  # ctest reports it as skipped (SKIP_RETURN_CODE)
[ "$(id -u)" -eq 0 ] || skip "network namespaces need root"
command -v ip >/dev/null || skip "no ip command (iproute2)"
command -v unshare >/dev/null || skip "no unshare (util-linux)"

tag=$(( $$ % 10000 ))
ns1=mhb${tag}a ns2=mhb${tag}b
net=10.$((100 + $$ % 100)).$(( ($$ / 100) % 250 ))
a1=$net.1 a2=$net.2
cleanup() {
  ip netns del "$ns1" 2>/dev/null || true
  ip netns del "$ns2" 2>/dev/null || true  # deleting a namespace removes its end of the veth
}
trap cleanup EXIT
if ! ip netns add "$ns1" 2>"$work/ns.txt"; then skip "cannot create network namespaces here: $(cat "$work/ns.txt")"; fi
ip netns add "$ns2"
ip link add "v${tag}a" type veth peer name "v${tag}b" || skip "cannot create a veth pair here"
ip link set "v${tag}a" netns "$ns1"
ip link set "v${tag}b" netns "$ns2"
ip -n "$ns1" addr add "$a1/24" dev "v${tag}a"
ip -n "$ns2" addr add "$a2/24" dev "v${tag}b"
for n in "$ns1" "$ns2"; do ip -n "$n" link set lo up; done
ip -n "$ns1" link set "v${tag}a" up
ip -n "$ns2" link set "v${tag}b" up

# The launch agent: "agent HOST COMMAND..." runs COMMAND on HOST, i.e. in its namespace with its
# own hostname, as `ssh HOST COMMAND...` would.
cat >"$work/agent.sh" <<AGENT
#!/bin/sh
host=\$1; shift
case \$host in $a1) ns=$ns1 ;; $a2) ns=$ns2 ;; *) echo "agent: unknown host \$host" >&2; exit 255 ;; esac
exec ip netns exec "\$ns" unshare --uts sh -c "hostname \$ns; \$*"
AGENT
chmod +x "$work/agent.sh"

two_hosts() {  # mpirun from the first host, one rank per host, TCP only
  ip netns exec "$ns1" unshare --uts sh -c 'hostname "$0"; exec "$@"' "$ns1" \
    mpirun --host "$a1:1,$a2:1" -np 2 --mca plm_rsh_agent "$work/agent.sh" \
    --mca btl tcp,self --mca btl_tcp_if_include "$net.0/24" --mca oob_tcp_if_include "$net.0/24" "$@"
}
one_host() { mpirun --oversubscribe --bind-to none -np 2 "$@"; }

one_host "$bin" synth --out "$work/data" --scale 0.003 --seed 9 >/dev/null
# The two ranks really are on two hosts.
hosts=$(two_hosts sh -c 'echo "$(hostname) $(ip -4 -br addr | grep -o "'"$net"'\.[0-9]*")"' | sort | tr '\n' ' ')
[ "$hosts" = "$ns1 $a1 $ns2 $a2 " ] || { echo "FAIL: ranks ran on '$hosts', not on the two hosts"; exit 1; }
echo "ok: one rank on each host: $hosts"

one_host "$bin" ingest --in "$work/data" --store "$work/one.h5" >/dev/null
one_host "$bin" run activity --store "$work/one.h5" --out "$work/one" >/dev/null
t0=$SECONDS
two_hosts "$bin" ingest --in "$work/data" --store "$work/two.h5" >"$work/log.txt" 2>&1 || { cat "$work/log.txt"; echo "FAIL: two-host ingest"; exit 1; }
two_hosts "$bin" run activity --store "$work/two.h5" --out "$work/two" >"$work/log.txt" 2>&1 || { cat "$work/log.txt"; echo "FAIL: two-host activity"; exit 1; }
h5diff --exclude-attribute / "$work/one.h5" "$work/two.h5" >/dev/null || { echo "FAIL: the two-host store differs"; exit 1; }
for f in "$work/one"/*.csv; do
  cmp "$f" "$work/two/$(basename "$f")" || { echo "FAIL: $(basename "$f") differs between one and two hosts"; exit 1; }
done
h5diff --exclude-attribute / "$work/one/results.h5" "$work/two/results.h5" >/dev/null || { echo "FAIL: results.h5 differs"; exit 1; }
echo "ok: ingest and activity across two hosts over TCP ($((SECONDS - t0)) s) equal the one-host run"
