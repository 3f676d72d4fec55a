/*
 * The SEV-SNP host commands of Linux's include/uapi/linux/psp-sev.h as of v6.11 (SNP_PLATFORM_STATUS, SNP_COMMIT,
 * SNP_SET_CONFIG, SNP_VLEK_LOAD and the VLEK structs), which Debian 12's 6.1 header lacks. Transcribed from the
 * kernel's declarations so that gcc can check specs/sev-guest.md's host side; the rest of psp-sev.h comes from the
 * system header, and the command enum continues it as the kernel's does (after SEV_GET_ID2).
 * sev_user_data_snp_status is the later, extended form: feature_info, rapl_dis, ciphertext_hiding_cap and
 * ciphertext_hiding_en were added after v6.11, whose struct still has vlek_en:1 followed by rsvd1:29.
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

struct sev_user_data_snp_status {
	__u8 api_major;
	__u8 api_minor;
	__u8 state;
	__u8 is_rmp_initialized:1;
	__u8 rsvd:7;
	__u32 build_id;
	__u32 mask_chip_id:1;
	__u32 mask_chip_key:1;
	__u32 vlek_en:1;
	__u32 feature_info:1;
	__u32 rapl_dis:1;
	__u32 ciphertext_hiding_cap:1;
	__u32 ciphertext_hiding_en:1;
	__u32 rsvd1:25;
	__u32 guest_count;
	__u64 current_tcb_version;
	__u64 reported_tcb_version;
} __attribute__((packed));

struct sev_user_data_snp_config {
	__u64 reported_tcb;
	__u32 mask_chip_id:1;
	__u32 mask_chip_key:1;
	__u32 rsvd:30;
	__u8 rsvd1[52];
} __attribute__((packed));
