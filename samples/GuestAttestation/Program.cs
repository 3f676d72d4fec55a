// Attests a guest through the SVSM attestation protocol and verifies what comes back.
//
//   dotnet run --project samples/GuestAttestation                 the embedded emulator, with a real swtpm as vTPM
//   dotnet run --project samples/GuestAttestation -- --memory PATH
//                                                                  svsm-emu serve --memory PATH in another process,
//                                                                  through the calling area; pins its PATH.ark.pem
//   dotnet run --project samples/GuestAttestation -- --configfs --ark ark.pem
//                                                                  a real SEV-SNP guest under an SVSM, through
//                                                                  Linux's configfs-tsm, checked against AMD's ARK
//   ... --product Turin                                            the emulated chip's generation (default Milan)
//   ... --measurement HEX                                          the policy: only this launch measurement is accepted
//   ... --vtpm                                                     also attest the vTPM: EK bound to the report, AK
//                                                                  proven by credential activation, a verified quote
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Svsm.Emulator;
using Svsm.Emulator.Firmware;
using Svsm.Emulator.Services.Attestation;
using Svsm.Emulator.Tpm;
using Svsm.Runtime;
using Svsm.Runtime.Attestation;
using Svsm.Runtime.SharedMemory;
using Svsm.Runtime.Tpm;
using Svsm.Runtime.Uefi;

var configfs = args.Contains("--configfs");
var attestVtpm = args.Contains("--vtpm");
var arkIndex = Array.IndexOf(args, "--ark");
var memoryIndex = Array.IndexOf(args, "--memory");
var productIndex = Array.IndexOf(args, "--product");
var measurementIndex = Array.IndexOf(args, "--measurement");
var product = productIndex >= 0 && productIndex + 1 < args.Length ? SnpProducts.Parse(args[productIndex + 1]) : SnpProduct.Milan;
byte[]? expectedMeasurement = null;
if (product is null || (productIndex >= 0 && productIndex + 1 >= args.Length))
{
    Console.Error.WriteLine("--product takes Milan, Genoa or Turin");
    return 2;
}

if (measurementIndex >= 0)
{
    try
    {
        expectedMeasurement = Convert.FromHexString(measurementIndex + 1 < args.Length ? args[measurementIndex + 1] : string.Empty);
    }
    catch (FormatException)
    {
    }

    if (expectedMeasurement is not { Length: 48 })
    {
        Console.Error.WriteLine("--measurement takes the 48-byte launch measurement in hex (96 digits)");
        return 2;
    }
}

var nonce = RandomNumberGenerator.GetBytes(64);

IAttestationSource source;
X509Certificate2 pinnedArk;
SwtpmProcess? swtpm = null;
EmulatedSnpFirmware? firmware = null;
MappedGuestMemory? shared = null;
Func<ITpm>? guestTpm = null;
if (memoryIndex >= 0)
{
    if (memoryIndex + 1 >= args.Length)
    {
        Console.Error.WriteLine("--memory needs the PATH of a running `svsm-emu serve --memory PATH`");
        return 2;
    }

    // svsm-emu in another process: vCPU 0's calling area in the shared file, and the emulated ARK it wrote beside it.
    var path = args[memoryIndex + 1];
    shared = MappedGuestMemory.Open(path);
    var transport = new SharedMemoryTransport(shared, 0, TimeSpan.FromSeconds(30));
    var allocator = shared.FreeRamAllocator();
    source = new SvsmAttestationClient(transport, shared, allocator);
    var memory = shared;
    guestTpm = () => new SvsmVtpm(transport, memory, allocator);
    pinnedArk = X509Certificate2.CreateFromPem(File.ReadAllText(path + ".ark.pem"));
    Console.WriteLine($"SVSM: svsm-emu through {path}, its emulated ARK pinned from {path}.ark.pem");
}
else if (configfs)
{
    if (arkIndex < 0 || arkIndex + 1 >= args.Length)
    {
        Console.Error.WriteLine("--configfs needs --ark FILE: AMD's root key for this processor family, in PEM (from https://kdsintf.amd.com/vcek/v1/<product>/cert_chain)");
        return 2;
    }

    source = new ConfigfsTsmAttestationSource();
    guestTpm = TpmDevice.Open;
    pinnedArk = X509Certificate2.CreateFromPem(File.ReadAllText(args[arkIndex + 1]));
}
else
{
    // The emulated guest: SNP firmware with its own ARK, ASK and VCEK, and an SVSM serving attestation, the vTPM and
    // UEFI MM (its variable store in memory, as COCONUT-SVSM's is).
    var machine = EmulatedMachine.Create();
    firmware = new EmulatedSnpFirmware(new SnpGuestIdentity { Measurement = SHA384.HashData("guest-attestation sample"u8), Product = product.Value });
    var services = new List<AttestedService>();
    try
    {
        swtpm = SwtpmProcess.Start();
        services.Add(machine.Emulator.AddVtpm(swtpm).State);

        // The guest starts its vTPM through the SVSM, as Linux's TPM driver does, then asks it for randomness.
        var vtpm = new SvsmVtpm(machine.Transport(), machine.Memory, machine.Allocator);
        var response = new byte[4096];
        vtpm.Execute(TpmWire.StartupClearCommand(), response);
        var random = TpmWire.GetRandomBytes(response.AsSpan(0, vtpm.Execute(TpmWire.GetRandomCommand(8), response)));
        guestTpm = () => vtpm;
        Console.WriteLine($"vTPM (swtpm through SVSM_VTPM_CMD): TPM2_GetRandom gave {Convert.ToHexStringLower(random)}");
    }
    catch (TpmException e)
    {
        Console.WriteLine($"No vTPM: {e.Message}");
    }

    services.Add(machine.Emulator.AddUefiMm().State.AsAttestedService());
    machine.Emulator.AddAttestation(firmware, services.ToArray());
    source = new SvsmAttestationClient(machine.Transport(), machine.Memory, machine.Allocator);
    pinnedArk = firmware.Ark;
}

try
{
    var evidence = source.Attest(nonce);
    var report = evidence.Fields;

    // Version 3 and later name their product by CPUID; for version 2 the VCEK's product name says it.
    var read = SnpReportReader.Read(evidence.Report.Span, product);
    var reportProduct = read.Product ?? product.Value;
    Console.WriteLine();
    Console.WriteLine("Attestation report");
    Console.WriteLine($"  version {report.Version} from {reportProduct.Name()}, guest SVN {report.GuestSvn}, VMPL {report.Vmpl}, policy {report.Policy}");
    Console.WriteLine($"  measurement  {Convert.ToHexStringLower(report.Measurement)}");
    Console.WriteLine($"  report data  {Convert.ToHexStringLower(report.ReportData)[..32]}… (SHA-512 of nonce and manifest)");
    Console.WriteLine($"  chip id      {Convert.ToHexStringLower(report.ChipId)[..32]}…");
    Console.WriteLine($"  reported TCB {SnpTcb.Read(report.ReportedTcb, reportProduct)} (0x{report.ReportedTcb:X16})");

    Console.WriteLine();
    Console.WriteLine($"Services manifest ({evidence.Manifest.Length} bytes)");
    foreach (var service in evidence.Services)
    {
        Console.WriteLine($"  {service.Name,-7} {service.Id}  {service.Manifest.Length} bytes{Describe(service)}");
    }

    if (evidence.Services.Count == 0)
    {
        Console.WriteLine("  (no services)");
    }

    Console.WriteLine();
    Console.WriteLine("Certificate chain from the host");
    foreach (var certificate in evidence.Certificates)
    {
        using var loaded = certificate.Load();
        Console.WriteLine($"  {certificate.Name,-4} {loaded.Subject}");
        Console.WriteLine($"       issued by {loaded.Issuer}");
    }

    var verification = evidence.Verify(pinnedArk);
    if (verification.IsValid && expectedMeasurement is not null)
    {
        // The relying party's policy, after the signature: here, the one launch measurement it accepts.
        verification = new SnpReportPolicy { Measurements = [expectedMeasurement] }.Check(evidence.Report.Span, reportProduct);
    }

    Console.WriteLine();
    Console.WriteLine(verification.IsValid
        ? "Verified: the VCEK chains to the pinned ARK, it was issued for this chip and TCB, the signature holds, REPORT_DATA binds this nonce and manifest" +
          (expectedMeasurement is null ? "." : ", and the measurement is the one expected.")
        : $"NOT verified ({verification.Failure}): {verification.Reason}");
    if (!verification.IsValid || !attestVtpm)
    {
        return verification.IsValid ? 0 : 1;
    }

    return AttestVtpm(source, guestTpm?.Invoke() ?? throw new TpmException("this SVSM has no vTPM to attest"), pinnedArk);
}
catch (Exception e) when (e is ConfigfsTsmException or SvsmCallException or AttestationFormatException or TpmException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
finally
{
    swtpm?.Dispose();
    firmware?.Dispose();
    shared?.Dispose();
}

// The vTPM attested as a relying party would have it: the verifier's nonce and credential challenge, the guest's
// report, EK, AK, activation and quote, then each check.
static int AttestVtpm(IAttestationSource svsm, ITpm tpm, X509Certificate2 pinnedArk)
{
    int[] pcrs = [0, 1, 2, 3, 7];
    var verifier = new VtpmChallenger();
    Console.WriteLine();
    Console.WriteLine("vTPM attestation");
    var evidence = VtpmAttestation.Attest(svsm, tpm, verifier.Nonce, pcrs, (ek, ak) =>
    {
        Console.WriteLine($"  EK     RSA-{ek.KeyBits}, modulus {Convert.ToHexStringLower(ek.Modulus.AsSpan(0, 8))}… (the TCG default template)");
        Console.WriteLine($"  AK     RSA-{ak.KeyBits} restricted signing key, name {Convert.ToHexStringLower(ak.Name())[..24]}…");
        Console.WriteLine("  the verifier makes a credential for the AK under the EK (TPM2_MakeCredential in software)");
        return verifier.Challenge(ek, ak);
    });
    Console.WriteLine($"  the TPM activated it (TPM2_ActivateCredential, EK by PolicySecret): {(evidence.ActivatedCredential.AsSpan().SequenceEqual(verifier.Credential) ? "the same credential" : "another credential")}");
    Console.WriteLine($"  quote of PCRs {string.Join(",", pcrs)} under the AK, qualifying data SHA-256(nonce)");
    for (var i = 0; i < pcrs.Length; i++)
    {
        Console.WriteLine($"    PCR {pcrs[i],2} {Convert.ToHexStringLower(evidence.PcrValues[i])}");
    }

    var result = evidence.Verify(pinnedArk, verifier);
    Console.WriteLine(result.IsValid
        ? "Verified: the report binds the EK, the AK lives in that TPM, and the quote is the AK's over this nonce and these PCRs."
        : $"vTPM NOT verified ({result.Failure}): {result.Reason}");
    return result.IsValid ? 0 : 1;
}

// The vTPM's manifest is its EK public area (TPMT_PUBLIC, big-endian): say what key it is.
static string Describe(ServiceManifest service)
{
    var area = service.Manifest.Span;
    if (service.Id == SvsmAttestationGuids.UefiMm && area.Length == UefiMmManifest.Size)
    {
        var flags = UefiMmManifest.Parse(area);
        return $": persistent NV variables {(flags.PersistentNonVolatileVariables ? "yes" : "no")}, secure boot {(flags.SecureBootEnabled ? "on" : "off")}";
    }

    if (service.Id != SvsmAttestationGuids.Vtpm || area.Length < 58 || area[0] != 0 || area[1] != 1)
    {
        return "";
    }

    var bits = (area[50] << 8) | area[51];
    return $": EK RSA-{bits}, modulus {Convert.ToHexStringLower(area.Slice(58, 8))}…";
}
