#!/usr/bin/env bash
# Installs, with apt-get, the tools the real-filesystem tests need, and only those that are missing:
#   xfsprogs (mkfs.xfs, xfs_io, xfs_spaceman), attr (setfattr), e2fsprogs (filefrag, mkfs.ext4),
#   util-linux (mount, losetup, fallocate) and, where the distribution has it, btrfs-progs.
# Idempotent and quiet when everything is there; runs `apt-get update` once, only if an install fails.
# Needs root to install; without root it only reports what is missing (and fails only under CI=true).
set -euo pipefail

# command -> package
REQUIRED=(
    "mkfs.xfs xfsprogs"
    "xfs_io xfsprogs"
    "xfs_spaceman xfsprogs"
    "setfattr attr"
    "filefrag e2fsprogs"
    "mkfs.ext4 e2fsprogs"
    "mount mount"
    "losetup mount"
    "fallocate util-linux"
)
OPTIONAL=(
    "mkfs.btrfs btrfs-progs"
)

export PATH="$PATH:/usr/sbin:/sbin"
UPDATED=0

missing_packages()
{
    local entry cmd pkg out=()
    for entry in "$@"; do
        cmd=${entry%% *}
        pkg=${entry#* }
        if ! command -v "$cmd" >/dev/null 2>&1; then
            [[ " ${out[*]-} " == *" $pkg "* ]] || out+=("$pkg")
        fi
    done
    echo "${out[*]-}"
}

apt_install()
{
    local log
    log=$(mktemp)
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >"$log" 2>&1; then
        rm -f "$log"
        return 0
    fi
    if [[ $UPDATED -eq 0 ]]; then
        UPDATED=1
        apt-get update -q >/dev/null 2>&1 || true
        if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >"$log" 2>&1; then
            rm -f "$log"
            return 0
        fi
    fi
    cat "$log" >&2
    rm -f "$log"
    return 1
}

read -r -a required <<<"$(missing_packages "${REQUIRED[@]}")"
read -r -a optional <<<"$(missing_packages "${OPTIONAL[@]}")"
if [[ ${#required[@]} -eq 0 && ${#optional[@]} -eq 0 ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    # Without root the real-filesystem tests cannot mount anyway: they skip with the reason (fail under CI=true).
    echo "install-tools.sh: not root, installing nothing; missing packages: ${required[*]-} ${optional[*]-}" >&2
    if [[ "${CI:-}" == "true" && ${#required[@]} -gt 0 ]]; then
        exit 1
    fi
    exit 0
fi
if [[ ${#required[@]} -gt 0 ]]; then
    echo "install-tools.sh: installing ${required[*]}"
    apt_install "${required[@]}"
fi
if [[ ${#optional[@]} -gt 0 ]]; then
    echo "install-tools.sh: installing ${optional[*]} (optional)"
    apt_install "${optional[@]}" || echo "install-tools.sh: ${optional[*]} not available; skipped" >&2
fi
read -r -a still <<<"$(missing_packages "${REQUIRED[@]}")"
if [[ ${#still[@]} -gt 0 ]]; then
    echo "install-tools.sh: still missing after install: ${still[*]}" >&2
    exit 1
fi
