package io.starling.cli;

import picocli.CommandLine.IVersionProvider;

final class StarlingVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = StarlingVersion.class.getPackage().getImplementationVersion();
        return new String[] {"starling " + (version == null ? "(development build)" : version)
                + " on Java " + Runtime.version()};
    }
}
