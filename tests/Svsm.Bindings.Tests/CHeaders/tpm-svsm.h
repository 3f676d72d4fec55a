/*
 * The SVSM vTPM buffer of Linux's include/linux/tpm_svsm.h (struct svsm_vtpm_cmd_request and
 * svsm_vtpm_cmd_response, SVSM_VTPM_MAX_BUFFER) and the vTPM call macros of arch/x86/include/asm/sev.h
 * (torvalds/linux at 00d25566761746ba53934ad3a89ea79923a38d01), transcribed with user-space types so that gcc
 * can check specs/vtpm.md against them. __packed is the kernel's __attribute__((packed)).
 */
#include <linux/types.h>

#define SVSM_VTPM_MAX_BUFFER		4096

struct svsm_vtpm_cmd_request {
	__u32 cmd;
	__u8 locality;
	__u32 buf_size;
	__u8 buf[];
} __attribute__((packed));

struct svsm_vtpm_cmd_response {
	__u32 buf_size;
	__u8 buf[];
};

#define SVSM_VTPM_CALL(x)		((2ULL << 32) | (x))
#define SVSM_VTPM_QUERY			0
#define SVSM_VTPM_CMD			1
