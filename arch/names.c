/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Human-readable names for codes, as Linux spells them, for logs, the CLI
 * and scenario output.
 */
#include "apvirt/arch.h"

const char *apv_rc_name(uint8_t rc)
{
	switch (rc) {
	case APV_RC_NORMAL: return "NORMAL";
	case APV_RC_Q_NOT_AVAIL: return "Q_NOT_AVAIL";
	case APV_RC_RESET_IN_PROGRESS: return "RESET_IN_PROGRESS";
	case APV_RC_DECONFIGURED: return "DECONFIGURED";
	case APV_RC_CHECKSTOPPED: return "CHECKSTOPPED";
	case APV_RC_BUSY: return "BUSY";
	case APV_RC_INVALID_ADDRESS: return "INVALID_ADDRESS";
	case APV_RC_OTHERWISE_CHANGED: return "OTHERWISE_CHANGED";
	case APV_RC_INVALID_GISA: return "INVALID_GISA";
	case APV_RC_Q_BOUND_TO_ANOTHER: return "Q_BOUND_TO_ANOTHER";
	case APV_RC_STATE_CHANGE_IN_PROGRESS: return "STATE_CHANGE_IN_PROGRESS";
	case APV_RC_Q_NOT_BOUND: return "Q_NOT_BOUND";
	/* One value, two meanings: queue full on NQAP, no pending reply on DQAP. */
	case APV_RC_Q_FULL: return "Q_FULL";
	case APV_RC_INDEX_TOO_BIG: return "INDEX_TOO_BIG";
	case APV_RC_NO_FIRST_PART: return "NO_FIRST_PART";
	case APV_RC_MESSAGE_TOO_BIG: return "MESSAGE_TOO_BIG";
	case APV_RC_REQ_FAC_NOT_INST: return "REQ_FAC_NOT_INST";
	case APV_RC_Q_BIND_ERROR: return "Q_BIND_ERROR";
	case APV_RC_Q_NOT_AVAIL_FOR_ASSOC: return "Q_NOT_AVAIL_FOR_ASSOC";
	case APV_RC_Q_NOT_EMPTY: return "Q_NOT_EMPTY";
	case APV_RC_BIND_LIMIT_EXCEEDED: return "BIND_LIMIT_EXCEEDED";
	case APV_RC_INVALID_ASSOC_SECRET: return "INVALID_ASSOC_SECRET";
	case APV_RC_ASSOC_SECRET_NOT_UNIQUE: return "ASSOC_SECRET_NOT_UNIQUE";
	case APV_RC_ASSOC_FAILED: return "ASSOC_FAILED";
	case APV_RC_INVALID_DOMAIN: return "INVALID_DOMAIN";
	default: return NULL;
	}
}

const char *apv_ap_type_name(unsigned at)
{
	switch (at) {
	case APV_AT_CEX4: return "CEX4";
	case APV_AT_CEX5: return "CEX5";
	case APV_AT_CEX6: return "CEX6";
	case APV_AT_CEX7: return "CEX7";
	case APV_AT_CEX8: return "CEX8";
	default: return NULL;
	}
}

const char *apv_pgm_name(unsigned code)
{
	switch (code) {
	case APV_PGM_OPERATION: return "operation";
	case APV_PGM_PRIVILEGED_OP: return "privileged-operation";
	case 0x04: return "protection";
	case 0x05: return "addressing";
	case APV_PGM_SPECIFICATION: return "specification";
	default: return NULL;
	}
}

const char *apv_fc_name(unsigned fc)
{
	static const char *const names[] = {
		[APV_FC_TAPQ] = "TAPQ", [APV_FC_RAPQ] = "RAPQ", [APV_FC_ZAPQ] = "ZAPQ",
		[APV_FC_AQIC] = "AQIC", [APV_FC_QCI] = "QCI",   [APV_FC_QACT] = "QACT",
		[APV_FC_QBAP] = "QBAP", [APV_FC_BAPQ] = "BAPQ", [APV_FC_AAPQ] = "AAPQ",
	};

	return fc < sizeof(names) / sizeof(names[0]) ? names[fc] : NULL;
}
