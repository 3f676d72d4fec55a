/*
 * The kernel-internal SVSM structs of Linux's arch/x86/include/asm/sev.h (torvalds/linux at
 * 00d25566761746ba53934ad3a89ea79923a38d01), transcribed with user-space types so that gcc can check
 * specs/core.md's calling area and PVALIDATE request, and specs/attestation.md's request, against them.
 * PAGE_SIZE is 4096 on x86-64.
 */
#include <linux/types.h>

struct svsm_ca {
	__u8 call_pending;
	__u8 mem_available;
	__u8 rsvd1[6];

	__u8 svsm_buffer[4096 - 8];
};

struct svsm_pvalidate_entry {
	__u64 page_size		: 2,
	      action		: 1,
	      ignore_cf		: 1,
	      rsvd		: 8,
	      pfn		: 52;
};

struct svsm_pvalidate_call {
	__u16 num_entries;
	__u16 cur_index;

	__u8 rsvd1[4];

	struct svsm_pvalidate_entry entry[];
};

#define SVSM_PVALIDATE_MAX_COUNT ((sizeof(((struct svsm_ca *)0)->svsm_buffer) - offsetof(struct svsm_pvalidate_call, entry)) / sizeof(struct svsm_pvalidate_entry))

struct svsm_loc_entry {
	__u64 pa;
	__u32 len;
	__u8 rsvd[4];
};

struct svsm_attest_call {
	struct svsm_loc_entry report_buf;
	struct svsm_loc_entry nonce;
	struct svsm_loc_entry manifest_buf;
	struct svsm_loc_entry certificates_buf;

	/* For attesting a single service */
	__u8 service_guid[16];
	__u32 service_manifest_ver;
	__u8 rsvd[4];
};

#define SVSM_ATTEST_CALL(x)		((1ULL << 32) | (x))
#define SVSM_ATTEST_SERVICES		0
#define SVSM_ATTEST_SINGLE_SERVICE	1
