/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Listings for people: the host's crypto devices in lszcrypt's layout
 * (with the driver that holds each queue), and the mdevs with their
 * matrices.
 */
#include "scenario_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *mode_name(enum apv_ap_mode m)
{
	switch (m) {
	case APV_MODE_ACCEL:
		return "Accelerator";
	case APV_MODE_CCA:
		return "CCA-Coproc";
	case APV_MODE_EP11:
		return "EP11-Coproc";
	}
	return "unknown";
}

static char mode_letter(enum apv_ap_mode m)
{
	return m == APV_MODE_ACCEL ? 'A' : m == APV_MODE_CCA ? 'C' : 'P';
}

static const char *status_name(uint32_t apqsw)
{
	switch (apv_apqsw_get_rc(apqsw)) {
	case APV_RC_NORMAL:
	case APV_RC_RESET_IN_PROGRESS:
	case APV_RC_BUSY:
		return "online";
	case APV_RC_DECONFIGURED:
		return "deconfig";
	case APV_RC_CHECKSTOPPED:
		return "chkstop";
	default:
		return "offline";
	}
}

void apv_lszcrypt(FILE *f, struct apv_hw *hw, struct apv_matrix *m)
{
	if (!f || !hw)
		return;
	fprintf(f, "CARD.DOM TYPE  MODE        STATUS   REQUESTS  DRIVER\n");
	fprintf(f, "-------------------------------------------------------------------\n");
	for (unsigned apid = 0; apid < 256; apid++) {
		struct apv_adapter_config a;
		if (!apv_hw_adapter_exists(hw, apid) || apv_hw_adapter_info(hw, apid, &a) < 0)
			continue;
		char type[16];
		const char *tn = apv_ap_type_name(a.at);
		if (tn)
			snprintf(type, sizeof(type), "%s%c", tn, mode_letter(a.mode));
		else
			snprintf(type, sizeof(type), "AT%u", a.at);
		/* One pass to sum the card, one to print its queues. */
		uint64_t total = 0;
		const char *card_status = NULL;
		for (unsigned apqi = 0; apqi < 256; apqi++) {
			struct apv_hw_queue_stats q;
			memset(&q, 0, sizeof(q));
			if (apv_hw_queue_stats(hw, apv_apqn(apid, apqi), &q) < 0 || !q.exists)
				continue;
			total += q.requests;
			if (!card_status || strcmp(card_status, "online") != 0)
				card_status = status_name(q.apqsw);
		}
		fprintf(f, "%02x       %-5s %-11s %-8s %9" PRIu64 "  %s\n", apid, type,
			mode_name(a.mode), card_status ? card_status : "online", total, "cex4card");
		for (unsigned apqi = 0; apqi < 256; apqi++) {
			struct apv_hw_queue_stats q;
			memset(&q, 0, sizeof(q));
			if (apv_hw_queue_stats(hw, apv_apqn(apid, apqi), &q) < 0 || !q.exists)
				continue;
			char drv[48] = "-";
			if (m) {
				apv_apqn_t apqn = apv_apqn(apid, apqi);
				switch (apv_bus_queue_driver(m, apqn)) {
				case APV_DRV_HOST:
					snprintf(drv, sizeof(drv), "cex4queue");
					break;
				case APV_DRV_VFIO_AP: {
					const char *st = apv_matrix_queue_status(m, apqn);
					snprintf(drv, sizeof(drv), "vfio_ap (%s)",
						 st ? st : "unassigned");
					break;
				}
				case APV_DRV_NONE:
					break;
				}
			}
			fprintf(f, "%02x.%04x  %-5s %-11s %-8s %9" PRIu64 "  %s\n", apid, apqi,
				type, mode_name(a.mode), status_name(q.apqsw), q.requests, drv);
		}
	}
}

void apv_lszcrypt_serial(FILE *f, struct apv_hw *hw)
{
	if (!f || !hw)
		return;
	fprintf(f, "CARD.DOM TYPE  MODE        STATUS   SERIALNR\n");
	fprintf(f, "--------------------------------------------------------\n");
	for (unsigned apid = 0; apid < 256; apid++) {
		struct apv_adapter_config a;
		char type[16];
		const char *tn;

		if (!apv_hw_adapter_exists(hw, apid) || apv_hw_adapter_info(hw, apid, &a) < 0 ||
		    a.mode == APV_MODE_ACCEL)
			continue;
		tn = apv_ap_type_name(a.at);
		snprintf(type, sizeof(type), "%s%c", tn ? tn : "AT", mode_letter(a.mode));
		fprintf(f, "%02x       %-5s %-11s %-8s %.8s\n", apid, type, mode_name(a.mode),
			"online", a.serial);
	}
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
	fprintf(f, "0x");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

void apv_lszcrypt_mkvps(FILE *f, struct apv_hw *hw)
{
	static const uint8_t zero[APV_EP11_WKVP_LEN];
	static const char *const reg[3] = {"NEW", "CUR", "OLD"};

	if (!f || !hw)
		return;
	for (unsigned apid = 0; apid < 256; apid++) {
		for (unsigned apqi = 0; apqi < 256; apqi++) {
			struct apv_hw_mk_info k;

			if (!apv_hw_adapter_exists(hw, apid) ||
			    apv_hw_master_key_info(hw, apv_apqn(apid, apqi), &k) < 0 ||
			    k.mode == APV_MODE_ACCEL)
				continue;
			fprintf(f, "%02x.%04x:\n", apid, apqi);
			if (k.mode == APV_MODE_CCA) {
				for (int r = 0; r < 3; r++) {
					fprintf(f, "  AES %s: %s ", reg[r],
						r == 0 ? (k.aes_set[r] ? "full" : "empty")
						       : (k.aes_set[r] ? "valid" : "invalid"));
					hex(f, k.aes_set[r] ? k.aes_mkvp[r] : zero, APV_CCA_MKVP_LEN);
					fputc('\n', f);
				}
				/* APKA and ASYM are not modelled: empty registers, zero patterns. */
				for (int r = 0; r < 3; r++) {
					fprintf(f, "  APKA %s: %s ", reg[r], r == 0 ? "empty" : "invalid");
					hex(f, zero, APV_CCA_MKVP_LEN);
					fputc('\n', f);
				}
				for (int r = 0; r < 3; r++) {
					fprintf(f, "  ASYM %s: %s ", reg[r], r == 0 ? "empty" : "invalid");
					hex(f, zero, 16);
					fputc('\n', f);
				}
				continue;
			}
			fprintf(f, "  WK CUR: %s ", k.wk_set[0] ? "valid" : "invalid");
			if (k.wk_set[0])
				hex(f, k.wkvp[0], APV_EP11_WKVP_LEN);
			else
				fputc('-', f);
			fprintf(f, "\n  WK NEW: %s ",
				!k.wk_set[1] ? "empty" : k.wk_committed ? "committed" : "uncommitted");
			if (k.wk_set[1])
				hex(f, k.wkvp[1], APV_EP11_WKVP_LEN);
			else
				fputc('-', f);
			fputc('\n', f);
		}
	}
}

static void print_attr(FILE *f, struct apv_mdev *mdev, const char *attr, const char *label)
{
	size_t cap = 1u << 20;
	char *buf = malloc(cap);
	if (!buf)
		return;
	int n = apv_mdev_show(mdev, attr, buf, cap);
	fprintf(f, "  %-17s", label);
	if (n <= 0) {
		fprintf(f, "-\n");
		free(buf);
		return;
	}
	for (char *p = buf; *p; p++)
		if (*p == '\n' && p[1])
			*p = ' ';
	fputs(buf, f);
	if (buf[strlen(buf) - 1] != '\n')
		fputc('\n', f);
	free(buf);
}

void apv_mdev_list(FILE *f, struct apv_matrix *m)
{
	if (!f || !m)
		return;
	unsigned n = 0;
	for (struct apv_mdev *d = apv_mdev_next(m, NULL); d; d = apv_mdev_next(m, d)) {
		struct apv_vm *vm = apv_mdev_vm(d);
		if (vm)
			fprintf(f, "%s  vfio_ap-passthrough  attached to VM %s\n", apv_mdev_uuid(d),
				apv_vm_name(vm));
		else
			fprintf(f, "%s  vfio_ap-passthrough  not attached\n", apv_mdev_uuid(d));
		print_attr(f, d, "matrix", "matrix:");
		print_attr(f, d, "guest_matrix", "guest_matrix:");
		print_attr(f, d, "control_domains", "control_domains:");
		n++;
	}
	if (!n)
		fprintf(f, "no mdevs\n");
}
