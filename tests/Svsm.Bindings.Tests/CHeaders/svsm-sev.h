/*
 * The kernel-internal SVSM structs of Linux's arch/x86/include/asm/sev.h (torvalds/linux at
 * 00d25566761746ba53934ad3a89ea79923a38d01), transcribed with user-space types so that gcc can check
 * specs/core.md's calling area and PVALIDATE request against them. PAGE_SIZE is 4096 on x86-64.
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
