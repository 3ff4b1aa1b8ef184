package com.sparkify.lake.cli;

import picocli.CommandLine;

/** Reports the build's version and the Spark it runs on. */
final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String own = SparkifyLake.class.getPackage().getImplementationVersion();
        return new String[] {"sparkify-lake " + (own == null ? "(development build)" : own)
                + ", Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION()};
    }
}
