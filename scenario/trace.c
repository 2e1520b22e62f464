/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The instruction trace: every instruction a scenario or a guest model
 * executes, with the registers it reads and writes before and after, and
 * every instruction vfio_ap issues on the host, as text for a person or
 * as one JSON object per line for tools.
 */
#include "scenario_internal.h"

#include <inttypes.h>
#include <string.h>

static FILE *trace_file(struct apv_world *w)
{
	return w->opts->trace ? w->opts->trace : stderr;
}

void apv_json_write_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7F)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void release_held(struct apv_world *w);

static const char *insn_name(uint16_t op)
{
	switch (op) {
	case APV_OP_PQAP:
		return "PQAP";
	case APV_OP_NQAP:
		return "NQAP";
	case APV_OP_DQAP:
		return "DQAP";
	default:
		return "?";
	}
}

/* The registers an instruction reads or writes, in order; returns how many. */
static unsigned insn_regs(const struct apv_insn_record *r, unsigned regs[8])
{
	unsigned n = 0;
	regs[n++] = 0;
	regs[n++] = 1;
	if (r->opcode == APV_OP_PQAP || r->opcode == APV_OP_DQAP)
		regs[n++] = 2;
	if (r->opcode != APV_OP_PQAP) {
		unsigned cand[4] = {r->r1, r->r1 + 1, r->r2, r->r2 + 1};
		for (unsigned i = 0; i < 4; i++) {
			bool seen = cand[i] > 15;
			for (unsigned k = 0; k < n && !seen; k++)
				seen = regs[k] == cand[i];
			if (!seen)
				regs[n++] = cand[i];
		}
	}
	return n;
}

static void vcpu_name(const struct apv_insn_record *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%u", r->vm ? r->vm->name : "host", r->vcpu);
}

static void trace_text(struct apv_world *w, FILE *f, const struct apv_insn_record *r)
{
	char who[80], dur[32], st[64];
	unsigned regs[8], n = insn_regs(r, regs);
	vcpu_name(r, who, sizeof(who));
	apv_scn_dur_str(w->clock ? apv_clock_now(w->clock) : 0, dur, sizeof(dur));
	fprintf(f, "[%s] %s %s", dur, who, insn_name(r->opcode));
	uint64_t gr0 = r->before.gr[0];
	if (r->opcode == APV_OP_PQAP) {
		const char *fc = apv_fc_name(apv_gr0_fc(gr0));
		if (fc)
			fprintf(f, "(%s)", fc);
		else
			fprintf(f, "(FC %u)", apv_gr0_fc(gr0));
	} else {
		fprintf(f, " %u,%u", r->r1, r->r2);
	}
	if (!(r->opcode == APV_OP_PQAP && apv_gr0_fc(gr0) == APV_FC_QCI))
		fprintf(f, " %s", apv_scn_apqn_str(apv_gr0_apqn(gr0), st, sizeof(st)));
	if (w->cur)
		fprintf(f, "   (%s:%u)", w->cur->st.file, w->cur->st.line);
	fputc('\n', f);
	fprintf(f, "    before:");
	for (unsigned i = 0; i < n; i++)
		fprintf(f, " GR%u=%016" PRIx64, regs[i], r->before.gr[regs[i]]);
	fprintf(f, " %s cc=%u\n", r->psw_before.problem_state ? "problem" : "supervisor",
		r->psw_before.cc);
	fprintf(f, "    after: ");
	for (unsigned i = 0; i < n; i++)
		fprintf(f, " GR%u=%016" PRIx64, regs[i], r->after.gr[regs[i]]);
	switch (r->res.kind) {
	case APV_RES_DONE:
		fprintf(f, " -> cc %u, APQSW %s\n", r->res.cc,
			apv_apqsw_format(apv_apqsw_from_gr1(r->after.gr[1]), st, sizeof(st)));
		break;
	case APV_RES_PGM:
		fprintf(f, " -> program exception 0x%02x (%s)\n", r->res.pgm,
			apv_scn_pgm_name(r->res.pgm));
		break;
	case APV_RES_EXIT:
		fprintf(f, " -> exit to user space\n");
		break;
	}
}

static void json_regs(FILE *f, const struct apv_regs *regs, const unsigned *which, unsigned n,
		      const struct apv_psw *psw)
{
	fputc('{', f);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%s\"gr%u\":\"0x%016" PRIx64 "\"", i ? "," : "", which[i],
			regs->gr[which[i]]);
	fprintf(f, ",\"psw\":\"%s\",\"cc\":%u}", psw->problem_state ? "problem" : "supervisor",
		psw->cc);
}

static void trace_json(struct apv_world *w, FILE *f, const struct apv_insn_record *r)
{
	char who[80], q[16];
	unsigned regs[8], n = insn_regs(r, regs);
	uint64_t gr0 = r->before.gr[0];
	vcpu_name(r, who, sizeof(who));
	fprintf(f, "{\"type\":\"insn\",\"time_ns\":%" PRIu64 ",",
		w->clock ? apv_clock_now(w->clock) : 0);
	if (w->cur) {
		fputs("\"file\":", f);
		apv_json_write_str(f, w->cur->st.file);
		fprintf(f, ",\"line\":%u,", w->cur->st.line);
	}
	fputs("\"vcpu\":", f);
	apv_json_write_str(f, who);
	fprintf(f, ",\"insn\":\"%s\"", insn_name(r->opcode));
	if (r->opcode == APV_OP_PQAP) {
		const char *fc = apv_fc_name(apv_gr0_fc(gr0));
		fprintf(f, ",\"fc\":%u", apv_gr0_fc(gr0));
		if (fc)
			fprintf(f, ",\"fc_name\":\"%s\"", fc);
	} else {
		fprintf(f, ",\"r1\":%u,\"r2\":%u", r->r1, r->r2);
	}
	fprintf(f,
		",\"apqn\":\"%s\",\"before\":", apv_scn_apqn_str(apv_gr0_apqn(gr0), q, sizeof(q)));
	json_regs(f, &r->before, regs, n, &r->psw_before);
	fputs(",\"after\":", f);
	json_regs(f, &r->after, regs, n, &r->psw_after);
	switch (r->res.kind) {
	case APV_RES_DONE: {
		struct apv_apqsw s = apv_apqsw_decode(apv_apqsw_from_gr1(r->after.gr[1]));
		const char *rcn = apv_rc_name(s.rc);
		fprintf(f,
			",\"result\":\"done\",\"cc\":%u,\"apqsw\":{\"e\":%s,\"r\":%s,\"f\":%s,"
			"\"a\":%s,\"i\":%s,"
			"\"rc\":%u",
			r->res.cc, s.e ? "true" : "false", s.r ? "true" : "false",
			s.f ? "true" : "false", s.async ? "true" : "false", s.i ? "true" : "false",
			s.rc);
		if (rcn)
			fprintf(f, ",\"rc_name\":\"%s\"", rcn);
		fputs("}}\n", f);
		break;
	}
	case APV_RES_PGM:
		fprintf(f, ",\"result\":\"pgm\",\"pgm\":%u,\"pgm_name\":", r->res.pgm);
		apv_json_write_str(f, apv_scn_pgm_name(r->res.pgm));
		fputs("}\n", f);
		break;
	case APV_RES_EXIT:
		fputs(",\"result\":\"exit\"}\n", f);
		break;
	}
}

void apv_trace_insn(struct apv_world *w, const struct apv_insn_record *r)
{
	switch (w->opts->trace_mode) {
	case APV_TRACE_OFF:
		break;
	case APV_TRACE_TEXT:
		trace_text(w, trace_file(w), r);
		break;
	case APV_TRACE_JSON:
		trace_json(w, trace_file(w), r);
		break;
	}
	release_held(w);
}

/*
 * vfio_ap's own instructions are not the guest's: they have no vCPU and no
 * PSW, only what vfio_ap put in (GR1/GR2 for AQIC) and the status word.
 */
static void host_insn_text(struct apv_world *w, FILE *f, const struct apv_hw_host_insn *in,
			   bool nested)
{
	char dur[32], q[16], st[64];
	const char *fc = apv_fc_name(in->fc);
	fprintf(f, "%s[%s] vfio_ap PQAP(%s) %s", nested ? "    " : "",
		apv_scn_dur_str(in->time_ns, dur, sizeof(dur)), fc ? fc : "?",
		apv_scn_apqn_str(in->apqn, q, sizeof(q)));
	/* GR2 is a host address (the pinned NIB): left out so traces stay reproducible. */
	if (in->fc == APV_FC_AQIC)
		fprintf(f, " GR1=%016" PRIx64, in->gr1_in);
	fprintf(f, " -> APQSW %s", apv_apqsw_format(in->apqsw, st, sizeof(st)));
	if (w->tearing_down)
		fputs("   (teardown)", f);
	else if (w->cur && !nested)
		fprintf(f, "   (%s:%u)", w->cur->st.file, w->cur->st.line);
	fputc('\n', f);
}

static void host_insn_json(struct apv_world *w, FILE *f, const struct apv_hw_host_insn *in)
{
	char q[16];
	const char *fc = apv_fc_name(in->fc);
	struct apv_apqsw s = apv_apqsw_decode(in->apqsw);
	const char *rcn = apv_rc_name(s.rc);
	fprintf(f, "{\"type\":\"host_insn\",\"time_ns\":%" PRIu64 ",", in->time_ns);
	if (w->tearing_down) {
		fputs("\"teardown\":true,", f);
	} else if (w->cur) {
		fputs("\"file\":", f);
		apv_json_write_str(f, w->cur->st.file);
		fprintf(f, ",\"line\":%u,", w->cur->st.line);
	}
	fprintf(f, "\"issuer\":\"vfio_ap\",\"insn\":\"PQAP\",\"fc\":%u", in->fc);
	if (fc)
		fprintf(f, ",\"fc_name\":\"%s\"", fc);
	fprintf(f, ",\"apqn\":\"%s\"", apv_scn_apqn_str(in->apqn, q, sizeof(q)));
	if (in->fc == APV_FC_AQIC)
		fprintf(f, ",\"gr1\":\"0x%016" PRIx64 "\"", in->gr1_in);
	fprintf(f, ",\"apqsw\":{\"e\":%s,\"r\":%s,\"f\":%s,\"a\":%s,\"i\":%s,\"rc\":%u",
		s.e ? "true" : "false", s.r ? "true" : "false", s.f ? "true" : "false",
		s.async ? "true" : "false", s.i ? "true" : "false", s.rc);
	if (rcn)
		fprintf(f, ",\"rc_name\":\"%s\"", rcn);
	fputs("}}\n", f);
}

static void host_insn_out(struct apv_world *w, const struct apv_hw_host_insn *in, bool nested)
{
	switch (w->opts->trace_mode) {
	case APV_TRACE_OFF:
		return;
	case APV_TRACE_TEXT:
		host_insn_text(w, trace_file(w), in, nested);
		return;
	case APV_TRACE_JSON:
		host_insn_json(w, trace_file(w), in);
		return;
	}
}

void apv_trace_host_insn(struct apv_world *w, const struct apv_hw_host_insn *in)
{
	if (w->hold_host_insns && w->nheld < sizeof(w->held) / sizeof(w->held[0]))
		w->held[w->nheld++] = *in;
	else
		host_insn_out(w, in, false);
}

void apv_trace_hold(struct apv_world *w)
{
	w->hold_host_insns = w->opts->trace_mode != APV_TRACE_OFF;
	w->nheld = 0;
}

/* The guest instruction is out: now what vfio_ap did while handling it. */
static void release_held(struct apv_world *w)
{
	w->hold_host_insns = false;
	for (unsigned i = 0; i < w->nheld; i++)
		host_insn_out(w, &w->held[i], true);
	w->nheld = 0;
}

void apv_trace_step(struct apv_world *w, const struct apv_step *s)
{
	FILE *f = trace_file(w);
	switch (w->opts->trace_mode) {
	case APV_TRACE_OFF:
		return;
	case APV_TRACE_TEXT:
		fprintf(f, "%s:%u: %s\n", s->st.file, s->st.line, s->st.src);
		return;
	case APV_TRACE_JSON:
		fputs("{\"type\":\"step\",\"file\":", f);
		apv_json_write_str(f, s->st.file);
		fprintf(f, ",\"line\":%u,\"text\":", s->st.line);
		apv_json_write_str(f, s->st.src);
		fputs("}\n", f);
		return;
	}
}
