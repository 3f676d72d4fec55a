/* Stands in for edk2's Protocol/VarCheck.h, which SmmVariableCommon.h includes: the one type it needs is in edk2-types.h. */
#pragma once
#include "../edk2-types.h"
