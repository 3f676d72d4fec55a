namespace Svsm.Bindings.Generator;

/// <summary>The names of the pipeline's steps, which the incrementality tests check.</summary>
public static class TrackingNames
{
    public const string SpecFiles = nameof(SpecFiles);
    public const string SpecModels = nameof(SpecModels);
    public const string SpecDiagnostics = nameof(SpecDiagnostics);
    public const string SpecEmissions = nameof(SpecEmissions);
    public const string SpecSources = nameof(SpecSources);
    public const string ProjectSettings = nameof(ProjectSettings);
    public const string TargetSupport = nameof(TargetSupport);

    public const string EmulatorReferenced = nameof(EmulatorReferenced);

    public const string SpecSurfaces = nameof(SpecSurfaces);
    public const string BaselinePaths = nameof(BaselinePaths);
    public const string ShippedBaselines = nameof(ShippedBaselines);
    public const string BaselinePairs = nameof(BaselinePairs);
    public const string EvolutionReports = nameof(EvolutionReports);
}
