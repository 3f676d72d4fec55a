/*
 * The SEV-SNP host commands of Linux's include/uapi/linux/psp-sev.h as of v6.11 (SNP_PLATFORM_STATUS, SNP_COMMIT,
 * SNP_SET_CONFIG, SNP_VLEK_LOAD and the VLEK structs), which Debian 12's 6.1 header lacks. Transcribed from the
 * kernel's declarations so that gcc can check specs/sev-guest.md's host side; the rest of psp-sev.h comes from the
 * system header, and the command enum continues it as the kernel's does (after SEV_GET_ID2).
 */
#include <linux/psp-sev.h>

enum {
	SNP_PLATFORM_STATUS = SEV_GET_ID2 + 1,
	SNP_COMMIT,
	SNP_SET_CONFIG,
	SNP_VLEK_LOAD,
};

struct sev_user_data_snp_vlek_load {
	__u32 len;
	__u8 vlek_wrapped_version;
	__u8 rsvd[3];
	__u64 vlek_wrapped_address;
} __attribute__((packed));

struct sev_user_data_snp_wrapped_vlek_hashstick {
	__u8 data[432];
} __attribute__((packed));
