/*
 * edk2-types.h -- minimal stand-ins so that SmmVariableCommon.h (copied
 * verbatim from tianocore/edk2) compiles standalone with gcc on x86-64.
 *
 * Own typedefs: UINTN and friends, EFI_GUID, EFI_STATUS, OFFSET_OF, BIT0.
 * Verbatim excerpts (BSD-2-Clause-Patent, Copyright (c) Intel Corporation),
 * all from tianocore/edk2@c5aa7e7d94c0e6b3c0202e15dbf7a5c92dd6a01d:
 *   - EFI_MM_COMMUNICATE_HEADER      MdePkg/Include/Protocol/MmCommunication.h:14-35
 *   - VARIABLE_STORE_HEADER          MdeModulePkg/Include/Guid/VariableFormat.h:69-89
 *     (inside that file's #pragma pack(1) region, lines 55..202)
 *   - VAR_CHECK_VARIABLE_PROPERTY    MdeModulePkg/Include/Protocol/VarCheck.h:42-57
 *   SPDX-License-Identifier: BSD-2-Clause-Patent (for the verbatim excerpts)
 *
 * EFI_MM_COMMUNICATE_HEADER_V3 (MdePkg/Include/Pi/PiMultiPhase.h) is not
 * provided: SmmVariableCommon.h only names it inside the
 * SMM_COMMUNICATE_HEADER_SIZE_V3 macro, which nothing here expands, and the
 * OVMF/SVSM path (VirtMmCommunicationDxe) only provides MM Communication 2,
 * i.e. the v1 header.
 */
#pragma once

#include <stdint.h>
#include <stddef.h>

/* ---- own minimal typedefs (x86-64 / X64 edk2 ABI) ---- */
typedef uint64_t UINTN;
typedef int64_t  INTN;
typedef uint64_t UINT64;
typedef int64_t  INT64;
typedef uint32_t UINT32;
typedef int32_t  INT32;
typedef uint16_t UINT16;
typedef int16_t  INT16;
typedef uint8_t  UINT8;
typedef int8_t   INT8;
typedef uint16_t CHAR16;
typedef char     CHAR8;
typedef uint8_t  BOOLEAN;
typedef void     VOID;
typedef UINTN    EFI_STATUS;

typedef struct {
  UINT32    Data1;
  UINT16    Data2;
  UINT16    Data3;
  UINT8     Data4[8];
} EFI_GUID;

#define OFFSET_OF(TYPE, Field)  ((UINTN) offsetof (TYPE, Field))
#define BIT0                    0x00000001

/* ---- verbatim: MdePkg/Include/Protocol/MmCommunication.h:14-35 ---- */
#pragma pack(1)

///
/// To avoid confusion in interpreting frames, the communication buffer should always
/// begin with EFI_MM_COMMUNICATE_HEADER
///
typedef struct {
  ///
  /// Allows for disambiguation of the message format.
  ///
  EFI_GUID    HeaderGuid;
  ///
  /// Describes the size of Data (in bytes) and does not include the size of the header.
  ///
  UINTN       MessageLength;
  ///
  /// Designates an array of bytes that is MessageLength in size.
  ///
  UINT8       Data[1];
} EFI_MM_COMMUNICATE_HEADER;

#pragma pack()

/* ---- verbatim: MdeModulePkg/Include/Guid/VariableFormat.h:69-89 (packed in the original) ---- */
#pragma pack(1)
///
/// Variable Store region header.
///
typedef struct {
  ///
  /// Variable store region signature.
  ///
  EFI_GUID    Signature;
  ///
  /// Size of entire variable store,
  /// including size of variable store header but not including the size of FvHeader.
  ///
  UINT32      Size;
  ///
  /// Variable region format state.
  ///
  UINT8       Format;
  ///
  /// Variable region healthy state.
  ///
  UINT8       State;
  UINT16      Reserved;
  UINT32      Reserved1;
} VARIABLE_STORE_HEADER;
#pragma pack()

/* ---- verbatim: MdeModulePkg/Include/Protocol/VarCheck.h:42-57 ---- */
#define VAR_CHECK_VARIABLE_PROPERTY_REVISION  0x0001
//
// 1. Set by VariableLock PROTOCOL
// 2. Set by VarCheck PROTOCOL
//
// If set, other fields for check will be ignored.
//
#define VAR_CHECK_VARIABLE_PROPERTY_READ_ONLY  BIT0

typedef struct {
  UINT16    Revision;
  UINT16    Property;
  UINT32    Attributes;
  UINTN     MinSize;
  UINTN     MaxSize;
} VAR_CHECK_VARIABLE_PROPERTY;
