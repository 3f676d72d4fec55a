/*
 * The declarations of seed 002, "Mar 2025 vmfwupdate interface rewrite" (Gerd Hoffmann), transcribed as the
 * seed writes them (comments shortened) so that gcc can lay them out for the tests.
 */
#include <stdint.h>

struct vmfwupdate {
	uint64_t capabilities;
	uint64_t firmware_size;
	uint64_t opaque_addr;
	uint64_t regions_addr;
	uint16_t regions_count;
	uint16_t control;
};

#define VMFWUPDATE_CAP_BIOS_RESIZE (1 << 0)
#define VMFWUPDATE_CAP_IGVM_IMAGES (2 << 0)

#define VMFWUPDATE_CTL_DISABLE (1 << 0)

struct vmfwupdate_regions {
	uint64_t size;
	uint64_t src_addr;
	uint64_t dst_addr;
	uint64_t flags;
};

#define VMFWUPDATE_REGION_FLAG_COPY (1 << 0)
#define VMFWUPDATE_REGION_FLAG_ZERO (1 << 1)
#define VMFWUPDATE_REGION_FLAG_MEASURE (1 << 2)
#define VMFWUPDATE_REGION_FLAG_VALIDATE (1 << 3)
#define VMFWUPDATE_REGION_FLAG_IGVM_IMAGE (1 << 8)
#define VMFWUPDATE_REGION_FLAG_IGVM_PARAM (1 << 9)
#define VMFWUPDATE_REGION_FLAG_SEV_CPUID (1 << 16)
#define VMFWUPDATE_REGION_FLAG_SEV_SECRETS (1 << 17)
