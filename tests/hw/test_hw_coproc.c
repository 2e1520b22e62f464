/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CCA and EP11 adapters through NQAP/DQAP: type 6 requests reach the
 * card model of the adapter's mode with the queue's own domain keys, the
 * replies fit the queue's buffers, the administrator API sets and reports
 * the keys per queue, and serial numbers are the configured or derived ones.
 */
#include <errno.h>
#include <string.h>

#include "hwtest.h"
#include "testlib.h"

#define CCA_APID 11
#define EP11_APID 12

static const uint8_t *buf(struct hwt *t)
{
	return t->mem + (T_BUF - T_BASE);
}

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void add(struct hwt *t, unsigned apid, enum apv_ap_mode mode, const char *serial)
{
	struct apv_adapter_config a;

	apv_adapter_config_default(&a);
	a.mode = mode;
	if (serial)
		strcpy(a.serial, serial);
	REQUIRE(apv_hw_add_adapter(t->hw, apid, &a) == 0);
}

/* One request through NQAP/DQAP; the reply length. */
static size_t roundtrip(struct hwt *t, apv_apqn_t qn, const uint8_t *msg, size_t len)
{
	struct apv_regs r;

	REQUIRE(hwt_nqap(t, &r, qn, 77, msg, len).cc == 0);
	hwt_sleep(t, t->cfg.reply_ns);
	REQUIRE(hwt_dqap(t, &r, qn, 12288).cc == 0);
	return 12288 - r.gr[5];
}

TEST(cca_queue_answers_fq_with_its_serial_and_its_domains_master_key)
{
	struct hwt t;
	static uint8_t msg[8192];
	uint8_t mk[APV_MK_LEN], vp[8];
	struct apv_t86_view v;
	struct apv_hw_mk_info info;
	apv_apqn_t qn = apv_apqn(CCA_APID, T_APQI);
	size_t len, n;

	hwt_init(&t, NULL, false);
	add(&t, CCA_APID, APV_MODE_CCA, NULL);
	memset(mk, 0x42, sizeof(mk));
	apv_cca_mkvp(mk, vp);
	REQUIRE(apv_hw_master_key(t.hw, qn, APV_MK_OP_SET, mk) == 0);
	REQUIRE(apv_hw_master_key(t.hw, qn, APV_MK_OP_CHANGE, NULL) == 0);
	REQUIRE(apv_hw_master_key_info(t.hw, qn, &info) == 0);
	CHECK_EQ(info.mode, APV_MODE_CCA);
	CHECK_STR(info.serial, "93APV011");
	CHECK(info.aes_set[APV_MK_CUR] && !info.aes_set[APV_MK_NEW] && !info.aes_set[APV_MK_OLD]);
	CHECK_MEM(info.aes_mkvp[APV_MK_CUR], vp, 8);

	len = apv_cca_build_fq(msg, sizeof(msg), T_APQI, false);
	REQUIRE(len);
	n = roundtrip(&t, qn, msg, len);
	REQUIRE(apv_t86_parse(buf(&t), n, false, &v) == 0);
	CHECK_EQ(v.rtcode, 0);
	CHECK_MEM(v.parm + 4, "93APV011", 8);
	CHECK_EQ(v.parm[4 + 64], '2');
	CHECK_MEM(v.parm + 4 + 80 + 2 + 184, vp, 8);
	/* The accelerator's type 50 is still refused with a type 82 */
	struct apv_regs r;
	uint8_t t50[0x190] = {0};
	t50[1] = 0x50;
	t50[3] = 0x90;
	t50[2] = 0x01;
	t50[9] = 0x01;
	REQUIRE(hwt_nqap(&t, &r, qn, 1, t50, sizeof(t50)).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns);
	REQUIRE(hwt_dqap(&t, &r, qn, 4096).cc == 0);
	CHECK_EQ(buf(&t)[1], APV_T82_TYPE);
	hwt_fini(&t);
}

TEST(master_keys_are_per_queue_and_only_on_coprocessors)
{
	struct hwt t;
	uint8_t mk[APV_MK_LEN] = {7};
	struct apv_hw_mk_info info;

	hwt_init(&t, NULL, false);
	add(&t, CCA_APID, APV_MODE_CCA, "ABC");
	REQUIRE(apv_hw_add_domain(t.hw, 7) == 0);
	REQUIRE(apv_hw_master_key(t.hw, apv_apqn(CCA_APID, 7), APV_MK_OP_SET, mk) == 0);
	REQUIRE(apv_hw_master_key_info(t.hw, apv_apqn(CCA_APID, T_APQI), &info) == 0);
	CHECK(!info.aes_set[APV_MK_NEW]);
	CHECK_STR(info.serial, "ABC     "); /* space-padded to 8 */
	REQUIRE(apv_hw_master_key_info(t.hw, apv_apqn(CCA_APID, 7), &info) == 0);
	CHECK(info.aes_set[APV_MK_NEW]);
	CHECK_EQ(apv_hw_master_key(t.hw, T_APQN, APV_MK_OP_SET, mk), -EOPNOTSUPP);
	CHECK_EQ(apv_hw_master_key(t.hw, apv_apqn(CCA_APID, 99), APV_MK_OP_SET, mk), -ENODEV);
	CHECK_EQ(apv_hw_master_key(t.hw, apv_apqn(CCA_APID, 7), APV_MK_OP_SET, NULL), -EINVAL);
	CHECK_EQ(apv_hw_master_key(t.hw, apv_apqn(CCA_APID, T_APQI), APV_MK_OP_CHANGE, NULL),
		 -ENOENT);
	/* serials: too long, not printable */
	struct apv_adapter_config a;
	apv_adapter_config_default(&a);
	a.mode = APV_MODE_CCA;
	strcpy(a.serial, "123456789");
	CHECK_EQ(apv_hw_add_adapter(t.hw, 40, &a), -EINVAL);
	strcpy(a.serial, "12 4");
	CHECK_EQ(apv_hw_add_adapter(t.hw, 40, &a), -EINVAL);
	a.mode = APV_MODE_EP11;
	strcpy(a.serial, "123456789");
	CHECK_EQ(apv_hw_add_adapter(t.hw, 40, &a), 0);
	REQUIRE(apv_hw_master_key_info(t.hw, apv_apqn(40, 7), &info) == 0);
	CHECK_STR(info.serial, "123456789       ");
	hwt_fini(&t);
}

TEST(ep11_queue_answers_info_and_keys_under_its_wrapping_key)
{
	struct hwt t;
	static uint8_t msg[8192];
	uint8_t wk[APV_MK_LEN], wkvp[32];
	struct apv_t86_view v;
	const uint8_t *d;
	size_t dl, len, n;
	uint32_t rv = 1;
	apv_apqn_t qn = apv_apqn(EP11_APID, T_APQI);

	hwt_init(&t, NULL, false);
	add(&t, EP11_APID, APV_MODE_EP11, NULL);
	memset(wk, 0x17, sizeof(wk));
	apv_ep11_wkvp(wk, wkvp);
	REQUIRE(apv_hw_master_key(t.hw, qn, APV_MK_OP_SET, wk) == 0);
	CHECK_EQ(apv_hw_master_key(t.hw, qn, APV_MK_OP_CHANGE, NULL), -EPERM);
	REQUIRE(apv_hw_master_key(t.hw, qn, APV_MK_OP_COMMIT, NULL) == 0);
	REQUIRE(apv_hw_master_key(t.hw, qn, APV_MK_OP_CHANGE, NULL) == 0);

	len = apv_ep11_build_info(msg, sizeof(msg), T_APQI, 1);
	n = roundtrip(&t, qn, msg, len);
	REQUIRE(apv_t86_parse(buf(&t), n, true, &v) == 0);
	REQUIRE(apv_ep11_reply_data(&v, &rv, &d, &dl) == 0);
	CHECK_EQ(rv, 0);
	CHECK(be32(d) > 0);
	CHECK_MEM(d + 108, "93APVX0000000012", 16);

	len = apv_ep11_build_info(msg, sizeof(msg), T_APQI, 3);
	n = roundtrip(&t, qn, msg, len);
	REQUIRE(apv_t86_parse(buf(&t), n, true, &v) == 0);
	REQUIRE(apv_ep11_reply_data(&v, &rv, &d, &dl) == 0);
	CHECK_EQ(dl, 80);
	CHECK_MEM(d + 4, wkvp, 32);
	CHECK_EQ(be32(d + 68) & 0x12, 0x12);

	len = apv_ep11_build_genkey(msg, sizeof(msg), T_APQI, 32, 0);
	n = roundtrip(&t, qn, msg, len);
	REQUIRE(apv_t86_parse(buf(&t), n, true, &v) == 0);
	REQUIRE(apv_ep11_reply_data(&v, &rv, &d, &dl) == 0);
	CHECK_EQ(dl, APV_EP11_BLOB_LEN);
	CHECK_MEM(d + 32, wkvp, 16);
	CHECK_EQ(d[64], 0x12);
	CHECK_EQ(d[65], 0x34);
	hwt_fini(&t);
}

TEST(secure_keys_become_protected_keys_the_cpu_unwraps_to_the_clear_key)
{
	struct hwt t;
	static uint8_t msg[8192];
	uint8_t mk[APV_MK_LEN], clear[32], tok[64], pk[64], back[32], blob[256];
	struct apv_t86_view v;
	const uint8_t *d;
	size_t dl, n;
	uint32_t rv = 1;
	apv_apqn_t cq = apv_apqn(CCA_APID, T_APQI), eq = apv_apqn(EP11_APID, T_APQI);

	hwt_init(&t, NULL, false);
	add(&t, CCA_APID, APV_MODE_CCA, NULL);
	add(&t, EP11_APID, APV_MODE_EP11, NULL);
	memset(mk, 0x42, sizeof(mk));
	for (int i = 0; i < 32; i++)
		clear[i] = (uint8_t)(3 * i + 7);
	REQUIRE(apv_hw_master_key(t.hw, cq, APV_MK_OP_SET, mk) == 0);
	REQUIRE(apv_hw_master_key(t.hw, cq, APV_MK_OP_CHANGE, NULL) == 0);
	n = roundtrip(&t, cq, msg, apv_cca_build_cm(msg, sizeof(msg), T_APQI, clear, 32));
	REQUIRE(apv_t86_parse(buf(&t), n, false, &v) == 0 && v.rtcode == 0);
	memcpy(tok, v.parm + 12, 64);
	n = roundtrip(&t, cq, msg, apv_cca_build_us(msg, sizeof(msg), T_APQI, tok));
	REQUIRE(apv_t86_parse(buf(&t), n, false, &v) == 0 && v.rtcode == 0);
	memcpy(pk, v.parm + 10 + 10, 64);
	REQUIRE(apv_hw_cpacf_unwrap(t.hw, pk, 32, back) == 0);
	CHECK_MEM(back, clear, 32);
	/* The EP11 card's WrapKey uses the same wrapping key. */
	REQUIRE(apv_hw_master_key(t.hw, eq, APV_MK_OP_SET, mk) == 0);
	REQUIRE(apv_hw_master_key(t.hw, eq, APV_MK_OP_COMMIT, NULL) == 0);
	REQUIRE(apv_hw_master_key(t.hw, eq, APV_MK_OP_CHANGE, NULL) == 0);
	n = roundtrip(&t, eq, msg, apv_ep11_build_genkey(msg, sizeof(msg), T_APQI, 16, 0));
	REQUIRE(apv_t86_parse(buf(&t), n, true, &v) == 0);
	REQUIRE(apv_ep11_reply_data(&v, &rv, &d, &dl) == 0 && dl == 256);
	memcpy(blob, d, 256);
	n = roundtrip(&t, eq, msg, apv_ep11_build_wrap(msg, sizeof(msg), T_APQI, blob, 256));
	REQUIRE(apv_t86_parse(buf(&t), n, true, &v) == 0);
	REQUIRE(apv_ep11_reply_data(&v, &rv, &d, &dl) == 0 && dl == 42 + 48);
	CHECK_EQ(apv_hw_cpacf_unwrap(t.hw, d + 42, 16, back), 0);
	/* A new CPU wrapping key: the old protected key is refused by the CPU. */
	REQUIRE(apv_hw_cpacf_set_wrapping_key(t.hw, NULL) == 0);
	CHECK_EQ(apv_hw_cpacf_unwrap(t.hw, pk, 32, back), -EKEYREJECTED);
	hwt_fini(&t);
}

TEST_MAIN
