using System.Globalization;

namespace Svsm.Bindings.Benchmarks;

/// <summary>
/// A consumer's worth of specs, each about the size of the OCP draft, in the four styles the reader reads, in
/// turn: the OCP draft's tables, a COCONUT-SVSM-style document (Rust constants, parameter lists, Rust structs and an
/// enum), a header's C (structs, bit-fields, defines, flag sets, ioctls), and a call table whose calls take their
/// parameters from lists beside a C struct. Each has a namespace of its own, as separate protocols would.
/// </summary>
internal static class SyntheticSpecs
{
    public static IReadOnlyList<(string Path, string Text)> Create(int count, string ocpDraft)
    {
        var specs = new List<(string, string)>(count);
        for (var i = 0; i < count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            var text = (i % 4) switch
            {
                0 => "---\nprotocol-id: " + (1000 + i).ToString(CultureInfo.InvariantCulture) + "\nnamespace: Bench.S" + n + "\n---\n" + ocpDraft,
                1 => Rust(n, i),
                2 => C(n),
                _ => Mixed(n, i),
            };
            specs.Add(("/bench/specs/spec" + n + ".md", text));
        }

        return specs;
    }

    private static string Rust(string n, int i) => $$"""
        ---
        namespace: Bench.S{{n}}
        ---

        ## SVSM RECORD {{n}} PROTOCOL

        The guest keeps small typed records in the SVSM.

        ### protocol number

        ```
        pub const SVSM_R{{n}}_PROTOCOL: u32 = {{1000 + i}};
        pub const R{{n}}_PROTOCOL_VERSION_MAX: u32 = 1;
        ```

        ### protocol query

        ```
        const SVSM_R{{n}}_QUERY: u32 = 0;
        ```

        Parameters:
         * RCX: (OUT) number of records stored (u32)
         * RDX: (OUT) the largest record data the store takes, in bytes (u16)

        Tells the guest what the store holds.

        ### record write

        ```
        const SVSM_R{{n}}_WRITE: u32 = 1;
        ```

        Parameters:
         * RCX: record address (guest physical).  Must be 8-byte aligned.
         * RDX: IN/OUT register
           * (IN) index to store the record at (u32)
           * (OUT) number of records stored (u32)

        Stores the record at RCX under an index.

        ### record read

        ```
        const SVSM_R{{n}}_READ: u32 = 2;
        ```

        Parameters:
         * RCX: index of the record to read (u32)
         * RDX: buffer address (guest physical).  Must be 8-byte aligned.
         * R8: (OUT) kind of the record read (u8)

        Copies the record stored under RCX to the buffer at RDX.

        ### record format

        ```rust
        /// A record the guest stores.
        #[repr(C, packed)]
        #[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug)]
        pub struct StoredRecord {
            /// What the data holds.
            pub kind: RecordKind,
            /// How many bytes of data are used.
            pub length: u16,
            pub flags: u8,
            pub owner: u64,
            pub data: [u8; RECORD_DATA_SIZE],
        }

        impl StoredRecord {
            fn is_reserved_clear(&self) -> bool { self.flags & 0xF0 == 0 }
        }

        /// The kinds of record.
        #[repr(u8)]
        pub enum RecordKind {
            Empty = 0,
            Text = 1,
            Blob = 2,
        }

        const RECORD_DATA_SIZE: usize = 128 - 12;
        ```

        ### result codes

        ```rust
        /// No record is stored under the index.
        pub const R{{n}}_ERR_NO_RECORD: u32 = 0x80001000;
        /// The store is full.
        pub const R{{n}}_ERR_FULL: u32 = 0x80001001;
        ```
        """;

    private static string C(string n) => $$"""
        ---
        name: Device {{n}} interface
        prefix: Device{{n}}
        namespace: Bench.S{{n}}
        ---

        The device's interface, as its header declares it.

        ```c
        /*
         * Device {{n}} interface
         */

        struct device_config {
            // device capabilities, see DEV_CAP_*, read-only.
            uint64_t capabilities;
            // firmware storage size (below 4G on x86), read-only.
            uint64_t firmware_size;
            // address of an opaque blob, writable.
            uint64_t opaque_addr;
            uint64_t regions_addr;
            uint16_t regions_count;
            // control bits, see DEV_CTL_*
            uint16_t control;
        };

        // --- 'capabilities' field bits ---

        // the device can resize its memory
        #define DEV_CAP_RESIZE (1 << 0)
        // the device loads images
        #define DEV_CAP_IMAGES (1 << 1)

        // --- 'control' field bits ---

        // disable the interface
        #define DEV_CTL_DISABLE (1 << 0)

        struct device_region {
            uint64_t size;     // size of the region
            uint64_t src_addr; // source address (before update)
            uint64_t dst_addr; // destination address (after update)
            uint64_t flags;    // control bits
        };

        // --- 'flags' field bits ---

        #define DEV_REGION_FLAG_COPY (1 << 0)
        #define DEV_REGION_FLAG_ZERO (1 << 1)
        #define DEV_REGION_FLAG_MEASURE (1 << 2)
        #define DEV_REGION_FLAG_VALIDATE (1 << 3)

        struct device_pvalidate_entry {
            __u64 page_size : 2,
                  action    : 1,
                  ignore_cf : 1,
                  rsvd      : 8,
                  pfn       : 52;
        };

        struct device_request {
            __u8 msg_version;
            __u64 req_data;
            __u64 resp_data;
            union {
                __u64 exitinfo2;
                struct {
                    __u32 fw_error;
                    __u32 vmm_error;
                };
            };
        } __attribute__((packed));

        #define DEV_IOC_TYPE 'D'
        #define DEV_GET_CONFIG _IOWR(DEV_IOC_TYPE, 0x0, struct device_config)
        #define DEV_REQUEST _IOWR(DEV_IOC_TYPE, 0x1, struct device_request)
        ```
        """;

    private static string Mixed(string n, int i) => $$"""
        ---
        protocol-id: {{1000 + i}}
        version: 1
        namespace: Bench.S{{n}}
        ---
        # Mixed protocol {{n}}

        | Call ID | First version supported | Name | Function |
        |---|---|---|---|
        | 0 | 1 | `SVSM_M{{n}}_PING` | Echoes a value. |
        | 1 | 1 | `SVSM_M{{n}}_SEND` | Sends a buffer. |

        ## SVSM_M{{n}}_PING Call

        * RCX: value to echo (u32)
        * RDX: (OUT) the value echoed (u32)

        ## SVSM_M{{n}}_SEND Call

        * RCX: GPA of a `message_header`, 8-byte aligned
        * RDX: length of the message (u32)
        * R8: (OUT) number of bytes sent (u32)

        ### Message header

        ```c
        struct message_header {
            __u32 magic;     /* 'MSG0' */
            __u16 version;
            __u16 flags;
            __u64 payload;   /* GPA of the payload */
            __u8  reserved[16];
        };
        ```
        """;
}
