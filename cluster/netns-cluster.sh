#!/bin/sh
# A multi-host test cluster on one machine, from Linux network namespaces (needs root):
#   ${P}-head  10.77.0.1   runs mpirun; holds the bridge the nodes are plugged into
#   ${P}-n1    10.77.0.11  host 1 (2 slots)
#   ${P}-n2    10.77.0.12  host 2 (2 slots)
# All addresses live inside these namespaces; the machine's own network is not touched.
# mpirun reaches the "hosts" through cluster/netns-rsh.sh and talks TCP over 10.77.0.0/24 only.
#
#   cluster/netns-cluster.sh up | down | status
#   cluster/netns-cluster.sh run EXPERIMENT [WORKERS] [coordinator run options]
#       brings the cluster up if needed, runs the coordinator and WORKERS (default 2) workers over
#       hostfiles/netns.hostfile, and leaves the cluster up (take it down with 'down').
# NETNS_PREFIX (default loso) names the namespaces, so two clusters can coexist. BIN as run-local.sh.
set -eu
prefix=${NETNS_PREFIX:-loso}
export NETNS_PREFIX=$prefix
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
head=$prefix-head
nodes="1 2"

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "netns-cluster: skipped: building network namespaces needs root (run as root or with sudo)" >&2
        exit 77
    fi
    command -v ip >/dev/null 2>&1 || { echo "netns-cluster: skipped: 'ip' (iproute2) not found" >&2; exit 77; }
    command -v unshare >/dev/null 2>&1 || { echo "netns-cluster: skipped: 'unshare' (util-linux) not found" >&2; exit 77; }
}

exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

up() {
    exists "$head" && return 0
    ip netns add "$head"
    ip netns exec "$head" ip link set lo up
    # mpirun gives up on a node's daemon that dropped off the network only when TCP does: keepalive
    # (the --mca oob_tcp_keepalive_* options below) for idle links, tcp_retries2 for links with data in
    # flight (the kernel's default 15 retries take about 15 minutes). 5 retries: about 6 s.
    ip netns exec "$head" sysctl -qw net.ipv4.tcp_retries2=5
    ip netns exec "$head" ip link add br0 type bridge
    ip netns exec "$head" ip addr add 10.77.0.1/24 dev br0
    ip netns exec "$head" ip link set br0 up
    for n in $nodes; do
        ns=$prefix-n$n
        ip netns add "$ns"
        ip netns exec "$ns" ip link set lo up
        # The veth pair is born inside the head namespace; one end moves straight into the node.
        ip netns exec "$head" ip link add "v-n$n" type veth peer name eth0 netns "$ns"
        ip netns exec "$head" ip link set "v-n$n" master br0 up
        ip netns exec "$ns" ip addr add "10.77.0.1$n/24" dev eth0
        ip netns exec "$ns" ip link set eth0 up
    done
    echo "netns-cluster: up ($head 10.77.0.1; nodes $(for n in $nodes; do printf '%s ' "$prefix-n$n=10.77.0.1$n"; done))" >&2
}

down() {
    for n in $nodes; do exists "$prefix-n$n" && ip netns del "$prefix-n$n"; done
    exists "$head" && ip netns del "$head"
    echo "netns-cluster: down" >&2
}

case ${1:-} in
    up) need_root; up ;;
    down) need_root; down ;;
    status) ip netns list | grep "^$prefix-" || echo "netns-cluster: not up" ;;
    run)
        need_root
        shift
        [ $# -ge 1 ] || { echo "usage: $0 run EXPERIMENT [WORKERS] [coordinator run options]" >&2; exit 64; }
        experiment=$1; shift
        workers=2
        if [ $# -gt 0 ]; then case $1 in ''|*[!0-9]*) ;; *) workers=$1; shift ;; esac; fi
        bin=${BIN:-$root/.build/release}
        command -v mpirun >/dev/null 2>&1 || { echo "netns-cluster: skipped: mpirun not found" >&2; exit 77; }
        up
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
        exec ip netns exec "$head" mpirun --hostfile "$root/hostfiles/netns.hostfile" \
            --mca plm_rsh_agent "$here/netns-rsh.sh" --mca routed direct \
            --mca oob_tcp_if_include 10.77.0.0/24 --mca btl_tcp_if_include 10.77.0.0/24 \
            --mca btl self,vader,tcp --oversubscribe --bind-to none \
            --mca oob_tcp_keepalive_time 30 --mca oob_tcp_keepalive_intvl 5 --mca oob_tcp_keepalive_probes 3 \
            -x NETNS_PREFIX -x PATH \
            -np 1 "$bin/coordinator" run "$experiment" "$@" : -np "$workers" "$bin/worker"
        ;;
    *) echo "usage: $0 up | down | status | run EXPERIMENT [WORKERS] [coordinator run options]" >&2; exit 64 ;;
esac
