using System.Reflection;
using Svsm.Runtime;
using Xunit;

namespace Svsm.Bindings.Tests;

/// <summary>
/// Every call of every spec goes client -> transport -> generated Dispatch -> a recording handler and back,
/// with random values: the handler sees exactly the inputs, the client gets exactly the handler's outputs.
/// </summary>
public sealed class LoopbackTests
{
    public static TheoryData<string> Calls()
    {
        var data = new TheoryData<string>();
        foreach (var client in Clients())
        {
            foreach (var method in CallMethods(client))
            {
                data.Add(client.FullName + "." + method.Name);
            }
        }

        return data;
    }

    private static IEnumerable<Type> Clients() =>
        typeof(LoopbackTests).Assembly.GetTypes().Where(t => t.Name.EndsWith("Client", StringComparison.Ordinal) && CallMethods(t).Any()).OrderBy(t => t.FullName);

    private static IEnumerable<MethodInfo> CallMethods(Type client) =>
        client.GetMethods().Where(m => m.GetCustomAttribute<SvsmCallAttribute>() is not null);

    [Fact]
    public void EverySpecWithCallsHasAClient()
    {
        var names = Clients().Select(c => c.Name).ToList();
        Assert.Contains("OcpClient", names);
        Assert.Contains("FeatureClient", names);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void RoundTripsWithValuesIntact(string call)
    {
        var lastDot = call.LastIndexOf('.');
        var client = Clients().Single(c => c.FullName == call.Substring(0, lastDot));
        var method = client.GetMethod(call.Substring(lastDot + 1))!;
        var prefix = client.Name.Substring(0, client.Name.Length - "Client".Length);
        var handlerType = client.Assembly.GetType(client.Namespace + ".I" + prefix + "Handler")!;
        var dispatch = client.Assembly.GetType(client.Namespace + "." + prefix + "Dispatcher")!.GetMethod("Dispatch")!;
        var attribute = method.GetCustomAttribute<SvsmCallAttribute>()!;
        var random = new Random(call.Length * 7919);
        if (method.ReturnType == typeof(SyscallResult))
        {
            RoundTripSyscall(client, method, handlerType, dispatch, attribute, random);
            return;
        }

        for (var iteration = 0; iteration < 50; iteration++)
        {
            var inputs = method.GetParameters().Select(p => RandomValue(p.ParameterType, random, Alignment(client, attribute.Call, p.Position))).ToArray();
            var resultType = method.ReturnType;
            var ctor = resultType.GetConstructors().Single(c => c.GetParameters().Length > 0);
            // Every other call fails: then only the outputs returned also on error (nullable members) come back.
            var succeeds = iteration % 2 == 0;
            var result = new SvsmResult(succeeds ? SvsmResult.SuccessCode : (uint)random.NextInt64(0x8000_0000, uint.MaxValue));
            var outputs = ctor.GetParameters().Select((p, i) => i == 0 ? result : RandomValue(p.ParameterType, random, 1)).ToArray();
            var expected = ctor.Invoke(outputs);
            var onError = ctor.GetParameters().Select((p, i) => (p, i)).Where(x => Nullable.GetUnderlyingType(x.p.ParameterType) is not null)
                .Select(x => Convert.ToUInt64(outputs[x.i], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

            var handler = RecordingHandler.Create(handlerType, expected);
            var transport = new LoopbackTransport(registers =>
            {
                Assert.Equal(attribute.Protocol, (uint)(registers.Rax >> 32));
                Assert.Equal(attribute.Call, (uint)registers.Rax);
                var args = new object?[] { handler, new SvsmCallContext(0, null!, 0), registers };
                dispatch.Invoke(null, args);
                var after = (SvsmRegisters)args[2]!;
                if (!succeeds)
                {
                    // A failed call changes RAX and, at most, the registers of outputs returned also on error.
                    foreach (var field in typeof(SvsmRegisters).GetFields().Where(f => f.FieldType == typeof(ulong) && f.Name != nameof(SvsmRegisters.Rax)))
                    {
                        var (was, now) = ((ulong)field.GetValue(registers)!, (ulong)field.GetValue(after)!);
                        Assert.True(was == now || onError.Contains(now), field.Name + " was written by a failed call");
                    }
                }

                return after;
            });
            var instance = Activator.CreateInstance(client, transport)!;
            var actual = method.Invoke(instance, inputs);

            var recorder = (RecordingHandler)(object)handler;
            Assert.Equal(method.Name, recorder.Method!.Name);
            Assert.Equal(inputs, recorder.Arguments!.Skip(1).ToArray());
            if (succeeds)
            {
                Assert.Equal(expected, actual);
            }
            else
            {
                Assert.Equal(result, resultType.GetProperty("Result")!.GetValue(actual));
                foreach (var parameter in ctor.GetParameters().Where(p => Nullable.GetUnderlyingType(p.ParameterType) is not null))
                {
                    Assert.Equal(resultType.GetProperty(parameter.Name!)!.GetValue(expected), resultType.GetProperty(parameter.Name!)!.GetValue(actual));
                }
            }
        }
    }

    [Fact]
    public void DispatchAnswersUnknownCallsAndProtocolsAndLeavesOtherRegistersAlone()
    {
        var handler = RecordingHandler.Create(typeof(Generated.IFeatureHandler), new Generated.FeatureNothingResult(SvsmResult.Success));
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(0x42, 5), Rcx = 11, R15 = 15 };
        Generated.FeatureDispatcher.Dispatch((Generated.IFeatureHandler)handler, new SvsmCallContext(0, null!, 0), ref registers);
        Assert.Equal(SvsmResult.UnsupportedCallCode, registers.Rax);
        Assert.Equal((11UL, 15UL), (registers.Rcx, registers.R15));

        registers.Rax = SvsmRegisters.CallCode(5, 9);
        Generated.FeatureDispatcher.Dispatch((Generated.IFeatureHandler)handler, new SvsmCallContext(0, null!, 0), ref registers);
        Assert.Equal(SvsmResult.UnsupportedProtocolCode, registers.Rax);

        registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(0x42, 9), Rcx = 11, Rdx = 12, R8 = 13, R15 = 15 };
        Generated.FeatureDispatcher.Dispatch((Generated.IFeatureHandler)handler, new SvsmCallContext(0, null!, 0), ref registers);
        Assert.Equal((0UL, 11UL, 12UL, 13UL, 15UL), (registers.Rax, registers.Rcx, registers.Rdx, registers.R8, registers.R15));
    }

    [Fact]
    public void InputsAreMaskedToTheirDeclaredSizeAndOutputsWrittenOnlyOnSuccess()
    {
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(0x42, 0), Rcx = 0xFFFF_FF01, Rdx = 0x1_0002, R8 = 0xAAAA_0000_0000_0004, R9 = 0x1000, R10 = 0x10, R11 = 0x11 };
        var failing = RecordingHandler.Create(typeof(Generated.IFeatureHandler), new Generated.FeatureSizesResult(SvsmResult.InvalidParameter, 0xBEEF, 1234, 7));
        var failed = registers;
        Generated.FeatureDispatcher.Dispatch((Generated.IFeatureHandler)failing, new SvsmCallContext(0, null!, 0), ref failed);
        Assert.Equal(new object[] { (byte)1, (ushort)2, 4u, 0x1000UL }, ((RecordingHandler)(object)failing).Arguments!.Skip(1).ToArray());
        Assert.Equal((SvsmResult.InvalidParameterCode, 0x1_0002UL, 0x10UL, 0x11UL), (failed.Rax, failed.Rdx, failed.R10, failed.R11));

        var succeeding = RecordingHandler.Create(typeof(Generated.IFeatureHandler), new Generated.FeatureSizesResult(SvsmResult.Success, 0xBEEF, 1234, 7));
        var served = registers;
        Generated.FeatureDispatcher.Dispatch((Generated.IFeatureHandler)succeeding, new SvsmCallContext(0, null!, 0), ref served);
        Assert.Equal((SvsmResult.SuccessCode, 0xBEEFUL, 1234UL, 7UL), (served.Rax, served.Rdx, served.R10, served.R11));
    }

    [Fact]
    public void AMisalignedInputIsAnsweredByTheDispatcherWithTheCodeItsSpecNames()
    {
        // TestSpecs' R9 page GPA names no code: SVSM_ERR_INVALID_PARAMETER, and the handler is never called.
        var handler = RecordingHandler.Create(typeof(Generated.IFeatureHandler), new Generated.FeatureSizesResult(SvsmResult.Success, 1, 2, 3));
        var registers = new SvsmRegisters { Rax = SvsmRegisters.CallCode(0x42, 0), Rcx = 1, Rdx = 2, R8 = 4, R9 = 0x1008, R10 = 0x10 };
        Generated.FeatureDispatcher.Dispatch((Generated.IFeatureHandler)handler, new SvsmCallContext(0, null!, 0), ref registers);
        Assert.Equal((SvsmResult.InvalidParameterCode, 0x10UL), (registers.Rax, registers.R10));
        Assert.Null(((RecordingHandler)(object)handler).Method);
    }

    [Fact]
    public void MisalignedInputIsRejectedBeforeTheCallNamingRegisterAndRule()
    {
        var client = new Generated.FeatureClient(new LoopbackTransport(_ => throw new InvalidOperationException("the call must not be made")));
        var error = Assert.Throws<ArgumentException>(() => client.Sizes(1, 2, 4, 0x1001));
        Assert.Contains("R9 (pageGpa) must be aligned to 4096 bytes", error.Message);
        Assert.Equal("pageGpa", error.ParamName);
        Assert.Throws<ArgumentException>(() => client.Sizes(1, 2, 6, 0x1000));
    }

    /// <summary>
    /// A syscall: the class and number in RAX, each parameter intact through its register (signed ones
    /// sign-extended, booleans as 0 or 1), and RAX back as the handler's result, an error number or a value.
    /// </summary>
    private static void RoundTripSyscall(Type client, MethodInfo method, Type handlerType, MethodInfo dispatch, SvsmCallAttribute attribute, Random random)
    {
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var inputs = method.GetParameters().Select(p => RandomValue(p.ParameterType, random, 1)).ToArray();
            var expected = iteration % 2 == 0 ? SyscallResult.Error(-random.Next(1, 0x10000)) : SyscallResult.Success((ulong)random.NextInt64(0, long.MaxValue));
            var handler = RecordingHandler.Create(handlerType, expected);
            var transport = new LoopbackTransport(registers =>
            {
                Assert.Equal(((ulong)attribute.Protocol << 32) | attribute.Call, registers.Rax);
                var args = new object?[] { handler, registers };
                dispatch.Invoke(null, args);
                return (SvsmRegisters)args[1]!;
            });
            var actual = (SyscallResult)method.Invoke(Activator.CreateInstance(client, transport)!, inputs)!;

            var recorder = (RecordingHandler)(object)handler;
            Assert.Equal(method.Name, recorder.Method!.Name);
            Assert.Equal(inputs, recorder.Arguments!);
            Assert.Equal(expected.Raw, actual.Raw);
        }
    }

    private static int Alignment(Type client, uint call, int parameter)
    {
        var protocol = client.Assembly.GetType(client.Namespace + "." + client.Name.Replace("Client", "Protocol", StringComparison.Ordinal))!;
        var descriptor = (SvsmCallDescriptor)protocol.GetMethod("Find")!.Invoke(null, new object[] { call })!;
        var inputs = descriptor.Registers.Where(r => r.Direction != SvsmDirection.Out && r.Register != X86Register.Rax).ToList();
        return Math.Max(1, inputs[parameter].Alignment);
    }

    private static object RandomValue(Type type, Random random, int alignment)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var underlying = type.IsEnum ? Enum.GetUnderlyingType(type) : type;
        var bits = (ulong)random.NextInt64() ^ ((ulong)random.NextInt64() << 1);
        bits &= ~((ulong)alignment - 1);
        object value = Type.GetTypeCode(underlying) switch
        {
            TypeCode.Boolean => (object)((bits & 1) != 0),
            TypeCode.SByte => (object)(sbyte)bits,
            TypeCode.Int16 => (object)(short)bits,
            TypeCode.Int32 => (object)(int)bits,
            TypeCode.Int64 => (object)(long)bits,
            TypeCode.Byte => (object)(byte)bits,
            TypeCode.UInt16 => (object)(ushort)bits,
            TypeCode.UInt32 => (object)(uint)bits,
            TypeCode.UInt64 => (object)bits,
            _ => throw new NotSupportedException(type.FullName),
        };
        return type.IsEnum ? Enum.ToObject(type, value) : value;
    }

    private sealed class LoopbackTransport(Func<SvsmRegisters, SvsmRegisters> serve) : ISvsmTransport
    {
        public void Call(ref SvsmRegisters registers) => registers = serve(registers);
    }
}

/// <summary>A handler for any generated handler interface: records the call and returns a set result.</summary>
public class RecordingHandler : DispatchProxy
{
    public MethodInfo? Method { get; private set; }

    public object?[]? Arguments { get; private set; }

    private object? result;

    public static object Create(Type handlerInterface, object result)
    {
        var proxy = typeof(DispatchProxy).GetMethods().Single(m => m.Name == nameof(DispatchProxy.Create) && m.IsGenericMethod && m.GetGenericArguments().Length == 2)
            .MakeGenericMethod(handlerInterface, typeof(RecordingHandler)).Invoke(null, null)!;
        ((RecordingHandler)proxy).result = result;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        Method = targetMethod;
        Arguments = args;
        return targetMethod!.ReturnType == result!.GetType() ? result : Activator.CreateInstance(targetMethod.ReturnType);
    }
}
