#!/bin/sh
# mpirun's "remote shell" for the namespace test cluster (plm_rsh_agent): instead of ssh-ing to a
# host, enter that host's network namespace (and a UTS namespace, so it has its own host name) and
# run the command there. Host 10.77.0.1N is namespace ${NETNS_PREFIX}-nN, host name ${NETNS_PREFIX}-nN.
set -eu
prefix=${NETNS_PREFIX:-loso}
host=$1; shift
case $host in
    10.77.0.1[1-9]) n=${host#10.77.0.1} ;;
    *) echo "netns-rsh: unknown test-cluster host '$host' (expected 10.77.0.11 .. 10.77.0.19)" >&2; exit 1 ;;
esac
ns=$prefix-n$n
exec ip netns exec "$ns" unshare --uts sh -c "hostname $ns && $*"
