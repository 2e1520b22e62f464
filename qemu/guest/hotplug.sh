#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# e2e-hotplug: the guest side of the reconfiguration run. RSA requests stay
# in flight (apload load) while the machine changes under them; the host
# (qemu/e2e-drive.py) acts on each "STEP NAME READY" line through QMP, the
# guest itself runs chzcrypt for the SCLP steps, and apload times how long
# lszcrypt takes to show each change:
#
#   unplug-card    the host unassigns the second card from the mdev
#   plug-card      ... and assigns it again
#   unplug-domain  the host unassigns the second usage domain
#   plug-domain    ... and assigns it again
#   checkstop      the host checkstops the first card: requests fail over
#                  (timed: the second card's first queue takes requests)
#   checkstop-end  ... and clears it: the card comes back
#   busy           the host makes the first queue busy for a while
#   config-off     chzcrypt --config-off on the second card (SCLP)
#   config-on      chzcrypt --config-on on it
#   end            after the load has stopped and the queue driver is
#                  unloaded: the host unassigns both cards (vfio_ap resets
#                  their queues, which frees their interrupt resources),
#                  which the guest waits to see, and queries its counts and
#                  balance
#
# Settings from the environment (init takes them from the kernel command
# line): E2E_LOAD_THREADS, E2E_BUSY_SECS, E2E_WATCH_SECS.
conf=/etc/e2e/aptest.conf
vec=/etc/e2e/load.txt
stat=/tmp/load.stat
stop=/tmp/load.stop
threads=${E2E_LOAD_THREADS:-4}
busy=${E2E_BUSY_SECS:-1.5}
tmo=${E2E_WATCH_SECS:-45}
status=0

conf_ids() {
	sed -n "s/^$1 //p" "$conf"
}
a=$(conf_ids card | sed -n 1p)
b=$(conf_ids card | sed -n 2p)
d1=$(conf_ids domain | sed -n 1p)
d2=$(conf_ids domain | sed -n 2p)
if [ -z "$a" ] || [ -z "$b" ] || [ -z "$d1" ] || [ -z "$d2" ]; then
	echo "hotplug: needs two cards and two domains in $conf"
	exit 1
fi

step() {
	apload "$@" || status=1
}

# Every queue bound and online before the load starts.
step watch ready "$tmo" - --run true "$a=online" "$b=online" "$a.$d1=online" \
	"$a.$d2=online" "$b.$d1=online" "$b.$d2=online"
rm -f "$stop" "$stat"
# apload load runs its callers at the lowest priority (see apload.c).
apload load "$vec" "$stop" "$threads" "$stat" >/tmp/load.out 2>&1 &
load=$!
# The load is running once some requests have come back.
n=0
while [ "$n" -lt 50 ]; do
	[ -f "$stat" ] && [ "$(cut -d' ' -f2 "$stat")" -ge 8 ] && break
	sleep 0.2
	n=$((n + 1))
done
echo "hotplug: load running: $(cat "$stat" 2>/dev/null) (issued answered ok failed)"

step watch unplug-card "$tmo" "$stat" "$b=absent" "$a=online"
step watch plug-card "$tmo" "$stat" "$b=online" "$b.$d1=online" "$b.$d2=online"
step watch unplug-domain "$tmo" "$stat" "$a.$d2=absent" "$b.$d2=absent" "$a.$d1=online"
step watch plug-domain "$tmo" "$stat" "$a.$d2=online" "$b.$d2=online"
step progress busy "$stat" "$a.$d1" "$busy"
# The kernel marks a checkstopped queue only when its AP bus scans (every
# config_time seconds; no configuration-change event announces a
# checkstop), so what is timed is the failover: the other card's queue
# takes the requests.
step progress checkstop "$stat" "$b.$d1" 0
step watch checkstop-end "$tmo" "$stat" "$a=online" "$a.$d1=online" "$a.$d2=online"
step watch config-off "$tmo" "$stat" --run "chzcrypt --config-off $b" "$b=deconfig"
step watch config-on "$tmo" "$stat" --run "chzcrypt --config-on $b" "$b=online" \
	"$b.$d1=online" "$b.$d2=online"

touch "$stop"
wait "$load" || status=1
cat /tmp/load.out
lszcrypt >/tmp/lsz.out 2>&1
sed 's/^/    | /' /tmp/lsz.out
# The queue driver's remove zeroizes each queue (ZAPQ): interrupts off,
# the indicator page unpinned, the ISC unregistered.
modprobe -r zcrypt_cex4 || status=1
step watch end "$tmo" - "$a=nodev" "$b=nodev"
exit "$status"
